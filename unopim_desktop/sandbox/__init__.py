"""Local peers of UnoPim, WooCommerce and BigCommerce for the demo, tests and benchmarks.

Nothing here imports the app's clients, stores, sync or state: a peer that shares the
client's code would share its bugs.
"""

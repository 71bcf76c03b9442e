"""Helpers shared by the test suites (peers, the connected app, the window, conformance checks)."""

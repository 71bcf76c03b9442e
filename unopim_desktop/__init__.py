"""UnoPim Desktop: keeps a UnoPim catalogue in sync with WooCommerce and BigCommerce."""

__version__ = "0.1.0"

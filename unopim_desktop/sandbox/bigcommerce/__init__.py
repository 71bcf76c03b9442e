"""The BigCommerce peer: the V3 catalog and V2 store-information API on loopback."""

from unopim_desktop.sandbox.bigcommerce.app import create_bigcommerce_app
from unopim_desktop.sandbox.bigcommerce.state import BigCommerceState

__all__ = ["BigCommerceState", "create_bigcommerce_app"]

"""The WooCommerce peer: `/wp-json/wc/v3` (and WordPress media) on loopback, as a real store answers."""

from unopim_desktop.sandbox.woocommerce.app import create_woocommerce_app
from unopim_desktop.sandbox.woocommerce.state import WooState

__all__ = ["WooState", "create_woocommerce_app"]

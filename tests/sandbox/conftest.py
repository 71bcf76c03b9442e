"""Fixtures of the sandbox peers' own tests."""

from tests.support.woocommerce_peer import woo_cert  # noqa: F401  (a fixture: a self-signed certificate)

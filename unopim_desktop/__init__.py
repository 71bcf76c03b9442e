"""UnoPim Desktop: keeps a UnoPim catalogue in sync with WooCommerce and BigCommerce."""

from importlib.metadata import PackageNotFoundError, version

try:
    # One place for the version: pyproject.toml, read back from the installed package's metadata (the
    # bundle ships that metadata too).
    __version__ = version("unopim-desktop")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"

"""Which adapter serves a store connection, and what a store error means for the merchant."""

from __future__ import annotations

from unopim_desktop.clients.errors import (
    ApiError,
    AuthError,
    BadPayload,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    ServerError,
    Unreachable,
    Validation,
)
from unopim_desktop.domain import ItemResult, StoreConnection, StoreKind
from unopim_desktop.redact import redact
from unopim_desktop.stores.base import StoreAdapter, StoreVerificationError

# Error codes the adapters put on an ItemResult when the SKU is already taken in the store.
DUPLICATE_SKU_CODES = frozenset({"product_invalid_sku", "duplicate_sku"})


def make_adapter(connection: StoreConnection) -> StoreAdapter:
    if connection.kind is StoreKind.WOOCOMMERCE:
        from unopim_desktop.stores.woocommerce import WooCommerceAdapter

        return WooCommerceAdapter(connection)
    if connection.kind is StoreKind.BIGCOMMERCE:
        from unopim_desktop.stores.bigcommerce import BigCommerceAdapter

        return BigCommerceAdapter(connection)
    raise ValueError(f"unknown store kind {connection.kind!r}")


def is_duplicate_sku(result: ItemResult) -> bool:
    """The store refused a create because the SKU exists; `result.store_id` is the holder when known."""
    return result.error_code in DUPLICATE_SKU_CODES


def explain_store_error(kind: StoreKind | str, error: BaseException) -> tuple[str, str]:
    """(reason, fix) in the merchant's words, for any error an adapter raises. No secret in either."""
    if isinstance(error, StoreVerificationError):
        return redact(error.reason), redact(error.fix)
    store = "WooCommerce" if StoreKind(kind) is StoreKind.WOOCOMMERCE else "BigCommerce"
    woo = store == "WooCommerce"
    message = redact(getattr(error, "message", "") or str(error))
    if isinstance(error, Unreachable):
        if "TLS" in message:
            return (f"The secure connection to the {store} store failed ({message}).",
                    "Check the store address and its certificate.")
        return (f"The {store} store could not be reached ({message}).",
                "Check the store address and your internet connection, then try again.")
    if isinstance(error, AuthError):
        if woo:
            return (f"WooCommerce refused the API key: {message}",
                    "Check the consumer key and secret in WooCommerce → Settings → Advanced → REST API "
                    "(Read/Write permissions), then edit the store connection.")
        return ("BigCommerce refused the access token.",
                "Create a new API account in BigCommerce → Settings → API → Store-level API accounts and edit the "
                "store connection with its Access Token.")
    if isinstance(error, Forbidden):
        if woo:
            return (f"WooCommerce does not allow this: {message}",
                    "Use a Read/Write key that belongs to an administrator or shop manager.")
        return ("The BigCommerce access token is missing a scope for this request.",
                "Give the API account Products: Modify and Information & Settings: Read-only, then use its token.")
    if isinstance(error, RateLimited):
        return (f"The {store} store is limiting how fast it may be called.",
                "Wait a minute and try again; the sync slows down on its own.")
    if isinstance(error, ServerError):
        return (f"The {store} store had an internal error (HTTP {error.status}): {message}",
                "Try again later; if it keeps happening, check the store's status or error log.")
    if isinstance(error, BadPayload):
        return (f"The {store} store answered with something other than its API data ({message}).",
                "A maintenance page, firewall or wrong address may be in the way; check the store address.")
    if isinstance(error, NotFound):
        return (f"The {store} store does not have what was asked for ({message}).",
                "It may have been deleted in the store; refresh and try again.")
    if isinstance(error, Conflict):
        return (f"The {store} store refused a duplicate: {message}",
                "Another product already uses this SKU or name; rename one of them or link them.")
    if isinstance(error, Validation):
        return (f"The {store} store refused the data: {message}",
                "Check the mapped values of the item named in the log.")
    if isinstance(error, ApiError):
        return (f"The {store} store answered with an error: {message}", "Try again; see the log for details.")
    return (f"Unexpected error while talking to the {store} store: {message}", "Try again; see the log for details.")

"""The store kinds this app knows, and what a store error means for the merchant.

A kind is declared in its own folder (`woocommerce/KIND`, `bigcommerce/KIND`); this is the one list of
them. Adding a kind is one folder and one entry here.
"""

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
    TimedOut,
    Unreachable,
    Validation,
)
from unopim_desktop.domain import ItemResult, StoreConnection
from unopim_desktop.redact import redact
from unopim_desktop.stores import bigcommerce, woocommerce
from unopim_desktop.stores.base import StoreAdapter, StoreVerificationError
from unopim_desktop.stores.kind import StoreKind

KINDS: dict[str, StoreKind] = {k.name: k for k in (woocommerce.KIND, bigcommerce.KIND)}


def store_kind(name: str) -> StoreKind:
    try:
        return KINDS[str(name)]
    except KeyError:
        raise ValueError(f"unknown store kind {name!r}; known: {', '.join(KINDS)}") from None


# Error codes the adapters put on an ItemResult when the SKU is already taken in the store.
DUPLICATE_SKU_CODES = frozenset({"product_invalid_sku", "duplicate_sku"})


def make_adapter(connection: StoreConnection) -> StoreAdapter:
    return store_kind(connection.kind).make_adapter(connection)


def is_duplicate_sku(result: ItemResult) -> bool:
    """The store refused a create because the SKU exists; `result.store_id` is the holder when known."""
    return result.error_code in DUPLICATE_SKU_CODES


def explain_store_error(kind: str, error: BaseException) -> tuple[str, str]:
    """(reason, fix) in the merchant's words, for any error an adapter raises. No secret in either."""
    if isinstance(error, StoreVerificationError):
        return redact(error.reason), redact(error.fix)
    spec = store_kind(kind)
    store, wording = spec.display_name, spec.wording
    message = redact(getattr(error, "message", "") or str(error))
    if isinstance(error, TimedOut):  # names the store and the limit itself
        return (f"{message}.", "If the store is busy or slow, try again later; check its address and your "
                               "internet connection.")
    if isinstance(error, Unreachable):
        if "TLS" in message:
            return (f"The secure connection to the {store} store failed ({message}).",
                    "Check the store address and its certificate.")
        return (f"The {store} store could not be reached ({message}).",
                "Check the store address and your internet connection, then try again.")
    if isinstance(error, AuthError):
        return wording.auth_reason.format(message=message), wording.auth_fix
    if isinstance(error, Forbidden):
        return wording.forbidden_reason.format(message=message), wording.forbidden_fix
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

"""The check run before a BigCommerce connection is saved (store-apis B1, B3, B4; seed 002).

Steps: the API URL has the `/stores/<hash>/` path, `GET /v2/store` (name, currency, language;
needs the Information scope), `GET /v3/catalog/summary` (needs Products read), and a write probe
that cannot change anything: `POST /v3/catalog/products` with an empty body. BigCommerce checks
the token's scopes before the body, so a token with Products "modify" gets 422 "missing required
fields" (nothing is created), and a read-only token gets 403.
"""

from __future__ import annotations

from typing import Any

from unopim_desktop.clients.errors import (
    ApiError,
    AuthError,
    BadPayload,
    Forbidden,
    NotFound,
    ServerError,
    Unreachable,
    Validation,
)
from unopim_desktop.clients.http import form_policy
from unopim_desktop.domain import StoreInfo
from unopim_desktop.stores.base import StoreVerificationError
from unopim_desktop.stores.bigcommerce import payloads as bc
from unopim_desktop.stores.bigcommerce.api import BigCommerceApi
from unopim_desktop.stores.http_common import transport_failure

# Each check gives up on a silent store within clients.http.FORM_DEADLINE_S (~20 s); an adapter built with
# `probe=` uses that policy instead (tests use short deadlines).
PROBE = form_policy(max_retry_after=35.0)
ACCOUNTS_PAGE = "BigCommerce → Settings → API → Store-level API accounts"


def _fail(reason: str, fix: str, exc: ApiError | None = None, code: str = "") -> StoreVerificationError:
    return StoreVerificationError(reason, fix, status=exc.status if exc else 0, code=code or (exc.code if exc else ""))


def bad_api_url(url: str) -> StoreVerificationError:
    return _fail(
        f"“{url}” is not a BigCommerce API URL.",
        f"It should look like {bc.API_URL_EXAMPLE}: copy the API path from {ACCOUNTS_PAGE} "
        "(shown when the API account was created).",
        code="bad_api_url",
    )


def bad_token(exc: ApiError) -> StoreVerificationError:
    return _fail(
        "BigCommerce refused the access token.",
        f"Paste the Access Token of the API account again. BigCommerce shows it only once; if it is lost, "
        f"create a new API account in {ACCOUNTS_PAGE}.",
        exc, "bad_token",
    )


def missing_scope(scope: str, exc: ApiError) -> StoreVerificationError:
    return _fail(
        f"The access token is missing a scope: {scope}.",
        f"In {ACCOUNTS_PAGE}, edit the API account (or create a new one) and set {scope}, then use its token.",
        exc, "missing_scope",
    )


def _other(exc: ApiError, url: str, step: str) -> StoreVerificationError:
    if isinstance(exc, Unreachable):
        return transport_failure(exc, url)
    if isinstance(exc, NotFound):
        return _fail(
            f"No BigCommerce store answers at {url}.",
            f"Check the store hash in the API URL ({bc.API_URL_EXAMPLE}); copy the API path from {ACCOUNTS_PAGE}.",
            exc, "store_not_found",
        )
    if isinstance(exc, BadPayload):
        if 300 <= exc.status < 400:
            return _fail(f"{url} redirects instead of answering.",
                         "Use the https:// address exactly as BigCommerce shows it.", exc, "redirect")
        return _fail(f"{url} answered with a web page, not the BigCommerce API.",
                     f"Check the API URL; it should look like {bc.API_URL_EXAMPLE}.", exc, "not_bigcommerce")
    if isinstance(exc, ServerError):
        return _fail(f"While {step}, BigCommerce answered with a server error (HTTP {exc.status}).",
                     "The store may be in maintenance; try again in a few minutes.", exc)
    return _fail(f"While {step}, BigCommerce refused the request (HTTP {exc.status}): {exc.message}.",
                 "Check the API URL and the access token.", exc)


async def _store_facts(api: BigCommerceApi, info: StoreInfo) -> None:
    try:
        store = await api.get_json("v2/store", retry=api.probe or PROBE)
    except AuthError as exc:
        raise bad_token(exc) from None
    except Forbidden:
        # Only the sync's defaults come from here; products work without it (B4).
        info.notes.append(
            "The token has no Information & Settings scope, so the store's name, currency and language could "
            "not be read; set the default currency and locale by hand, or add the read-only scope."
        )
        return
    except ApiError as exc:
        raise _other(exc, api.api_base, "reading the store information") from None
    if not isinstance(store, dict) or not store.get("id"):  # every store's information carries its id (hash)
        raise _fail(f"{api.api_base} did not answer like a BigCommerce store.",
                    f"Check the API URL; it should look like {bc.API_URL_EXAMPLE}.", code="not_bigcommerce")
    info.name = str(store.get("name") or "")
    info.currency = str(store.get("currency") or "")
    info.locale = str(store.get("language") or "")
    info.url = str(store.get("secure_url") or store.get("domain") or api.api_base)
    features = store.get("features") if isinstance(store.get("features"), dict) else {}
    info.multilingual = bool(features.get("multi_storefront_enabled", False))


async def _product_read(api: BigCommerceApi, info: StoreInfo) -> None:
    try:
        await api.get_json("v3/catalog/summary", retry=api.probe or PROBE)
        listing: Any = await api.get_json("v3/catalog/products", {"limit": 1, "include_fields": "id"},
                                              retry=api.probe or PROBE)
    except AuthError as exc:
        raise bad_token(exc) from None
    except Forbidden as exc:
        raise missing_scope("Products (read-only or modify)", exc) from None
    except ApiError as exc:
        raise _other(exc, api.api_base, "reading the catalogue") from None
    meta = listing.get("meta") if isinstance(listing, dict) else None
    pagination = meta.get("pagination") if isinstance(meta, dict) else None
    total = pagination.get("total") if isinstance(pagination, dict) else None
    info.product_count = total if isinstance(total, int) else None


async def _product_write(api: BigCommerceApi, info: StoreInfo) -> None:
    try:
        # Refused for its empty body (422) by a token allowed to write, for its scope (403) otherwise.
        await api.send("POST", "v3/catalog/products", json_body={}, retry=api.probe or PROBE)
    except Validation:
        return
    except AuthError as exc:
        raise bad_token(exc) from None
    except Forbidden as exc:
        if not api.require_write:
            info.can_write = False
            info.notes.append("The token is read-only for products: they can be read but not sent to the store.")
            return
        raise missing_scope("Products (modify)", exc) from None
    except ApiError as exc:
        if exc.status in (400, 409):  # refused for the body too: the scope check passed
            return
        raise _other(exc, api.api_base, "checking write access") from None
    raise _fail("BigCommerce accepted an empty product, which a real store never does.",
                f"Check that the API URL points at BigCommerce ({bc.API_URL_EXAMPLE}).", code="not_bigcommerce")


async def verify_bigcommerce(api: BigCommerceApi) -> StoreInfo:
    if not api.api_base:
        raise bad_api_url(api.connection.url)
    if not api.connection.access_token:
        raise _fail("The access token is missing.",
                    f"Paste the Access Token shown when the API account was created in {ACCOUNTS_PAGE}.",
                    code="missing_token")
    info = StoreInfo(url=api.api_base)
    await _store_facts(api, info)
    await _product_read(api, info)
    await _product_write(api, info)
    return info

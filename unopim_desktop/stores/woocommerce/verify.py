"""The check run before a WooCommerce connection is saved (store-apis A2, A3).

Steps, each with its own merchant-readable failure: the address serves WordPress's REST API with
WooCommerce (anonymous `GET /wp-json/wc/v3`), the key can read (`GET /products?per_page=1`), the
key can write (`POST /products/batch` with `{}`, a no-op), then optional facts (currency, version,
language) and, when an application password is given, whether media uploads will work.
"""

from __future__ import annotations

from typing import Any

import httpx

from unopim_desktop.clients.errors import (
    ApiError,
    AuthError,
    BadPayload,
    Forbidden,
    NotFound,
    ServerError,
    Unreachable,
)
from unopim_desktop.clients.http import decode_json, form_policy
from unopim_desktop.domain import StoreInfo
from unopim_desktop.stores.base import StoreVerificationError
from unopim_desktop.stores.http_common import transport_failure
from unopim_desktop.stores.woocommerce.api import WooApi

# Each check gives up on a silent store within clients.http.FORM_DEADLINE_S (~20 s); an adapter built with
# `probe=` uses that policy instead (tests use short deadlines).
PROBE = form_policy(max_retry_after=10.0)
KEYS_PAGE = "WooCommerce → Settings → Advanced → REST API"


def _fail(reason: str, fix: str, exc: ApiError | None = None, code: str = "") -> StoreVerificationError:
    return StoreVerificationError(reason, fix, status=exc.status if exc else 0, code=code or (exc.code if exc else ""))


def _generic(exc: ApiError, site: str, step: str) -> StoreVerificationError:
    if isinstance(exc, Unreachable):
        return transport_failure(exc, site)
    if isinstance(exc, BadPayload):
        return _fail(
            f"While {step}, the site answered with a web page instead of WooCommerce data.",
            "A security plugin, firewall or maintenance page may be in the way; check that "
            f"{site}/wp-json/wc/v3 opens as JSON in a browser.",
            exc, "html",
        )
    if isinstance(exc, ServerError):
        return _fail(f"While {step}, the store answered with a server error (HTTP {exc.status}): {exc.message}.",
                     "Try again later; if it persists, check the site's error log.", exc)
    return _fail(f"While {step}, the store refused the request (HTTP {exc.status}): {exc.message}.",
                 "Check the address and the API key.", exc)


async def _check_rest_api(api: WooApi) -> None:
    site = api.site
    not_wordpress = (
        f"{site} does not look like a WordPress site with WooCommerce: there is no WordPress REST API at "
        f"{site}/wp-json/.",
        "Check the address (it is the shop's home page address), and that WordPress → Settings → Permalinks "
        "is not set to “Plain”.",
    )
    try:
        response = await api.send("GET", "wc/v3", auth=False, retry=api.probe or PROBE)
    except NotFound as exc:
        if isinstance(exc.body, dict) and exc.body.get("code") == "rest_no_route":
            raise _fail(
                f"WordPress answers at {site}, but the WooCommerce REST API (wc/v3) is not there.",
                "Activate the WooCommerce plugin (version 3.5 or newer) on this site.",
                exc, "woocommerce_missing",
            ) from None
        raise _fail(*not_wordpress, exc, "not_wordpress") from None
    except (AuthError, Forbidden) as exc:
        raise _fail(
            f"{site} refuses anonymous access to its REST API (HTTP {exc.status}).",
            "A security plugin or firewall is blocking /wp-json/; allow the WooCommerce REST API (wc/v3).",
            exc, "rest_blocked",
        ) from None
    except ApiError as exc:
        raise _generic(exc, site, "looking for the WooCommerce REST API") from None
    if 300 <= response.status_code < 400:
        location = response.headers.get("Location", "")
        target = str(response.request.url.join(location).copy_with(query=None, fragment=None)) if location else ""
        if "/wp-json" in target:  # the same API elsewhere (www, https, a sub-folder): that is the address
            suggested = target.split("/wp-json", 1)[0]
            raise _fail(f"{site} redirects to {suggested}.", f"Use {suggested} as the store address.",
                        code="redirect")
        # Not to the API: a login, maintenance or single sign-on page stands in front of it.
        raise _fail(
            f"{site} sends its REST API to {target or 'another page'} (a login or maintenance page?) instead of "
            "answering.",
            f"Let the WooCommerce REST API through whatever asks visitors to log in; {site}/wp-json/wc/v3 must "
            "open as JSON in a private browser window.",
            code="redirect_page",
        )
    try:
        body = decode_json(response)
    except BadPayload as exc:
        raise _fail(*not_wordpress, exc, "not_wordpress") from None
    if isinstance(body, dict) and body.get("code") == "rest_no_route":  # a 404's body with a 200 status
        raise _fail(
            f"WordPress answers at {site}, but the WooCommerce REST API (wc/v3) is not there.",
            "Activate the WooCommerce plugin (version 3.5 or newer) on this site.",
            code="woocommerce_missing",
        )
    if not isinstance(body, dict) or body.get("namespace") != "wc/v3":
        raise _fail(*not_wordpress, code="not_wordpress")


def _auth_failure(exc: ApiError, api: WooApi, *, step: str) -> StoreVerificationError:
    message = exc.message or ""
    lowered = message.lower()
    new_key = f"Create a new key in {KEYS_PAGE} with Read/Write permissions and paste both values."
    if exc.code == "woocommerce_rest_cannot_view" and exc.status == 401 or "consumer key is invalid" in lowered:
        return _fail(
            "WooCommerce does not know this consumer key.",
            f"Copy the consumer key again from {KEYS_PAGE} (it starts with ck_); if it was revoked, {new_key[0].lower()}"
            f"{new_key[1:]}",
            exc, "unknown_key",
        )
    if "consumer secret is invalid" in lowered or "invalid signature" in lowered:
        return _fail(
            "The consumer secret does not match the consumer key.",
            "Paste the consumer secret again (it starts with cs_). WooCommerce shows it only once; if it is "
            f"lost, {new_key[0].lower()}{new_key[1:]}",
            exc, "wrong_secret",
        )
    if "invalid timestamp" in lowered:
        return _fail("The store refused the request's time stamp.",
                     "Set this computer's clock to the correct time (WooCommerce allows 15 minutes of difference).",
                     exc, "clock")
    if "read permissions" in lowered:
        return _fail("This key may only write, not read.",
                     f"In {KEYS_PAGE}, edit the key and set Permissions to Read/Write.", exc, "write_only_key")
    if "write permissions" in lowered:
        return _fail("This key is read-only, so products cannot be sent to the store.",
                     f"In {KEYS_PAGE}, edit the key and set Permissions to Read/Write.", exc, "read_only_key")
    if "missing" in lowered:
        return _fail("The key did not reach WooCommerce: the web server dropped the credentials.",
                     "Ask the host to pass the Authorization header to WordPress, or use the site over HTTPS.",
                     exc, "credentials_dropped")
    if isinstance(exc, Forbidden):
        return _fail(
            f"The WordPress user who owns this key may not manage products ({message}).",
            f"Create the key in {KEYS_PAGE} for an administrator or shop manager, with Read/Write permissions.",
            exc, "user_not_allowed",
        )
    return _fail(f"WooCommerce refused the key while {step}: {message}.", new_key, exc)


async def _check_read(api: WooApi, info: StoreInfo) -> None:
    try:
        response = await api.send("GET", "wc/v3/products", params={"per_page": 1}, retry=api.probe or PROBE)
    except (AuthError, Forbidden) as exc:
        retried = await _try_query_string_auth(api, exc)
        if retried is None:
            raise _auth_failure(exc, api, step="reading products") from None
        response = retried
        info.notes.append("The web server drops the Authorization header; the key is sent in the query string.")
    except ApiError as exc:
        raise _generic(exc, api.site, "reading products") from None
    try:
        items = decode_json(response)
    except BadPayload as exc:
        raise _generic(exc, api.site, "reading products") from None
    total = response.headers.get("X-WP-Total")
    info.product_count = int(total) if total and total.isdigit() else None
    if isinstance(items, list) and items and isinstance(items[0], dict) and "lang" in items[0]:
        info.multilingual = True  # WPML / WooCommerce Multilingual adds `lang` to products (A12)


async def _try_query_string_auth(api: WooApi, exc: ApiError) -> httpx.Response | None:
    """Over HTTPS, an unknown key and a dropped Authorization header look the same (anonymous 401).
    The query-string form tells them apart (A2)."""
    if exc.status != 401 or exc.code != "woocommerce_rest_cannot_view" or api.query_string_auth:
        return None
    if httpx.URL(api.site).scheme != "https":
        return None
    api.query_string_auth = True
    try:
        return await api.send("GET", "wc/v3/products", params={"per_page": 1}, retry=api.probe or PROBE)
    except ApiError:
        api.query_string_auth = False
        return None


async def _check_write(api: WooApi, info: StoreInfo) -> None:
    try:
        # An empty batch changes nothing but needs write permission (A3).
        await api.send("POST", "wc/v3/products/batch", json_body={}, idempotent=True, retry=api.probe or PROBE)
    except (AuthError, Forbidden) as exc:
        failure = _auth_failure(exc, api, step="checking write access")
        if failure.code == "read_only_key" and not api.require_write:
            info.can_write = False
            info.notes.append("The key is read-only: products can be read from the store but not sent to it.")
            return
        raise failure from None
    except ApiError as exc:
        raise _generic(exc, api.site, "checking write access") from None


async def _optional_json(api: WooApi, path: str, params: dict[str, Any], **kw: Any) -> Any:
    try:
        return decode_json(await api.send("GET", path, params=params, retry=api.probe or PROBE, **kw))
    except ApiError:
        return None


async def _read_store_facts(api: WooApi, info: StoreInfo) -> None:
    index = await _optional_json(api, "", {"_fields": "name,url,home"}, auth=False)
    if isinstance(index, dict) and isinstance(index.get("name"), str):
        info.name = index["name"]
    status = await _optional_json(api, "wc/v3/system_status", {"_fields": "environment,settings"})
    if isinstance(status, dict):
        env = status.get("environment") if isinstance(status.get("environment"), dict) else {}
        settings = status.get("settings") if isinstance(status.get("settings"), dict) else {}
        # The docs' table says wc_version, their example says version: accept either (A3).
        info.version = str(env.get("version") or env.get("wc_version") or "")
        info.locale = str(env.get("language") or "")
        info.currency = str(settings.get("currency") or "")
    if not info.currency:
        general = await _optional_json(api, "wc/v3/settings/general", {})
        for item in general if isinstance(general, list) else []:
            if isinstance(item, dict) and item.get("id") == "woocommerce_currency":
                info.currency = str(item.get("value") or "")
    if not info.currency:
        info.notes.append("The store currency could not be read with this key; set it by hand if needed.")


async def _check_media(api: WooApi, info: StoreInfo) -> None:
    connection = api.connection
    if not (connection.wp_user and connection.wp_app_password):
        if connection.wp_user or connection.wp_app_password:
            info.notes.append("Both the WordPress user and its application password are needed for image uploads.")
        return
    insecure = httpx.URL(api.site).scheme != "https"
    try:
        try:
            response = await api.send("GET", "wp/v2/users/me", params={"context": "edit"},
                                          auth=api.wp_auth, retry=api.probe or PROBE)
            me = decode_json(response)
        except NotFound:
            # Some sites hide the users endpoint. An empty upload changes nothing: WordPress checks the
            # user's right to upload first (401/403) and only then refuses the missing file (400).
            try:
                await api.send("POST", "wp/v2/media", content=b"", auth=api.wp_auth, idempotent=True,
                                   retry=api.probe or PROBE)
            except (AuthError, Forbidden):
                raise
            except ApiError as exc:
                if exc.status != 400:
                    raise
            me = None
    except AuthError as exc:
        extra = " WordPress only accepts application passwords over HTTPS." if insecure else ""
        raise _fail(
            "WordPress refused the user name or application password." + extra,
            "In WordPress → Users → Profile → Application Passwords, create a password for this app and enter it "
            "with that WordPress user name (not the consumer key).",
            exc, "wp_password",
        ) from None
    except Forbidden:
        info.notes.append("This WordPress user may not upload files; WooCommerce will fetch images by URL.")
        return
    except ApiError as exc:
        info.notes.append(f"Image uploads could not be checked ({exc}); WooCommerce will fetch images by URL.")
        return
    capabilities = me.get("capabilities") if isinstance(me, dict) else None
    if isinstance(capabilities, dict) and not capabilities.get("upload_files", False):
        info.notes.append("This WordPress user may not upload files; WooCommerce will fetch images by URL.")
        return
    info.media_upload = True


async def verify_woocommerce(api: WooApi) -> StoreInfo:
    connection = api.connection
    if not connection.key or not connection.secret:
        raise _fail("The consumer key and the consumer secret are both needed.",
                    f"Create a key in {KEYS_PAGE} with Read/Write permissions and paste both values.",
                    code="missing_credentials")
    if connection.key.startswith("cs_") and connection.secret.startswith("ck_"):
        raise _fail("The consumer key and secret are swapped.",
                    "Put the value starting with ck_ in Consumer key and the one starting with cs_ in Consumer secret.",
                    code="swapped_credentials")
    if not api.site or httpx.URL(api.site).scheme not in ("http", "https"):
        raise _fail(f"“{connection.url}” is not a web address.",
                    "Enter the shop's address as it appears in the browser, e.g. https://shop.example.com.",
                    code="bad_url")
    info = StoreInfo(url=api.site)
    await _check_rest_api(api)
    await _check_read(api, info)
    await _check_write(api, info)
    await _read_store_facts(api, info)
    await _check_media(api, info)
    return info

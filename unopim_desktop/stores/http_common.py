"""What every store adapter does the same way with HTTP answers: TLS settings, secret scrubbing, JSON,
and the merchant's sentence for a store that cannot be reached."""

from __future__ import annotations

import json
import ssl
from typing import Any

import httpx

from unopim_desktop.clients.errors import ApiError, BadPayload, TimedOut, Unreachable
from unopim_desktop.clients.http import decode_json, safe_url
from unopim_desktop.redact import redact
from unopim_desktop.stores.base import StoreVerificationError


def tls_verify(setting: bool | str) -> bool | ssl.SSLContext:
    """A CA bundle path (self-signed test stores) as an SSL context; httpx deprecates bare paths."""
    if isinstance(setting, str):
        return ssl.create_default_context(cafile=setting)
    return setting


def scrub(exc: ApiError) -> ApiError:
    """Mask any known secret in an error's text and body (an HTML page may echo a query string)."""
    exc.message = redact(exc.message)
    exc.args = (exc.message,)
    if isinstance(exc.body, str):
        exc.body = redact(exc.body)
    elif exc.body is not None:
        try:
            exc.body = json.loads(redact(json.dumps(exc.body)))
        except (TypeError, ValueError):
            exc.body = None
    return exc


def json_answer(response: httpx.Response, *, who: str = "The store") -> Any:
    """The decoded body of an API answer; a redirect (http → https, another host) is never one."""
    if 300 <= response.status_code < 400:
        raise BadPayload(f"{who} answered with a redirect to {safe_url(response.headers.get('Location', '?'))}",
                         status=response.status_code, url=safe_url(response.request.url))
    try:
        return decode_json(response)
    except ApiError as exc:
        raise scrub(exc) from None


def transport_failure(exc: Unreachable, site: str) -> StoreVerificationError:
    """Why nothing useful answered at `site` (certificate, host name, time-out, nothing listening)."""
    text = exc.message
    if isinstance(exc, TimedOut):
        # The message names the store (kind, label, address) and the limit that ran out.
        return StoreVerificationError(
            f"{text}.",
            "Check the address and your internet connection, then try again; if the store is busy or slow, "
            "try again later.",
            status=exc.status, code="timeout",
        )
    if exc.code == "tls":  # set where the transport error is typed (clients/http.py)
        reason = f"The secure (HTTPS) connection to {site} failed: its certificate could not be verified."
        fix = ("Check that the address is right and that the site has a valid certificate. For a test site "
               "with a self-signed certificate, install its certificate on this computer.")
        code = "tls"
    elif "resolved" in text:
        reason, fix, code = f"The host name of {site} could not be found.", "Check the spelling of the address.", "dns"
    elif "in time" in text or "Timed out" in text:
        reason = f"{site} did not answer in time."
        fix = "Check the address and your internet connection, then try again; if the site is slow, try again later."
        code = "timeout"
    else:
        reason = f"Nothing answers at {site}."
        fix = "Check the address (including http or https and any port) and your internet connection."
        code = "unreachable"
    return StoreVerificationError(reason, fix, status=exc.status, code=code or exc.code)

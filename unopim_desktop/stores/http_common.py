"""What both store adapters do the same way with HTTP answers: TLS settings, secret scrubbing, JSON."""

from __future__ import annotations

import json
import ssl
from typing import Any

import httpx

from unopim_desktop.clients.errors import ApiError, BadPayload
from unopim_desktop.clients.http import decode_json, safe_url
from unopim_desktop.redact import redact


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

"""OAuth 1.0a one-legged signature checking, the way WooCommerce's `WC_REST_Authentication` does it.

WooCommerce signs `METHOD&rawurlencode(url)&<params>` where the params are the request's query
(and form) parameters plus any `oauth_*` from an `Authorization: OAuth` header, sorted by key with
`strcmp`, each key and value `rawurlencode`d, then each `key=value` pair encoded *again* and the
pairs joined with `%26`. For flat parameters this equals RFC 5849; for PHP arrays (`a[]=1`) it
does not, so clients that sign array parameters the RFC way are refused by a real store too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import urllib.parse
from typing import Any

from unopim_desktop.sandbox.woocommerce.wp import rawurlencode

SIGNATURE_METHODS = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}
REQUIRED_PARAMS = ("oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method")


def parse_authorization_header(header: str) -> dict[str, str]:
    """`WC_REST_Authentication::parse_header`: only `oauth_*` pairs of an `OAuth ` header count."""
    header = header.strip()
    if not header.startswith("OAuth "):
        return {}
    params: dict[str, str] = {}
    for match in re.finditer(r'(oauth_[a-z_-]*)=(:?"([^"]*)"|([^,]*))', header):
        raw = match.group(3) if match.group(3) else (match.group(4) or "")
        params[match.group(1)] = urllib.parse.unquote_plus(raw)
    return params


def _encode_values(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _encode_values(v) for k, v in value.items()}
    return rawurlencode(value)


def _join_with_equals_sign(params: dict[Any, Any], out: list[str], prefix: str = "") -> list[str]:
    for key, value in params.items():
        name = f"{prefix}%5B{key}%5D" if prefix else str(key)
        if isinstance(value, dict):
            _join_with_equals_sign(value, out, name)
        else:
            out.append(rawurlencode(f"{name}={value}"))
    return out


def signature_base_string(method: str, url: str, params: dict[Any, Any]) -> str:
    """The string WooCommerce signs. `params` is the PHP-shaped parameter map without the signature."""
    ordered = dict(sorted(params.items(), key=lambda item: str(item[0]).encode()))
    normalized = {rawurlencode(k): _encode_values(v) for k, v in ordered.items()}
    query = "%26".join(_join_with_equals_sign(normalized, []))
    return f"{method.upper()}&{rawurlencode(url)}&{query}"


def compute_signature(base_string: str, consumer_secret: str, signature_method: str) -> str:
    digest = SIGNATURE_METHODS[signature_method]
    key = f"{consumer_secret}&".encode()
    return base64.b64encode(hmac.new(key, base_string.encode(), digest).digest()).decode()


def provided_signature(raw: str) -> str:
    """WooCommerce un-mangles the signature: a `+` decoded to a space is put back, then rawurldecode."""
    return urllib.parse.unquote(raw.replace(" ", "+"))


def signature_matches(method: str, url: str, params: dict[Any, Any], consumer_secret: str) -> bool:
    """True when `params["oauth_signature"]` is what WooCommerce computes for this request."""
    signed = {k: v for k, v in params.items() if k != "oauth_signature"}
    base = signature_base_string(method, url, signed)
    expected = compute_signature(base, consumer_secret, str(params["oauth_signature_method"]))
    return hmac.compare_digest(expected, provided_signature(str(params["oauth_signature"])))


def sign_query(method: str, url: str, params: dict[str, str], consumer_key: str, consumer_secret: str, *,
               timestamp: int, nonce: str, signature_method: str = "HMAC-SHA256") -> dict[str, str]:
    """Query parameters of a request signed as the official Python client does (for tools and demos)."""
    signed = dict(params)
    signed.update(
        oauth_consumer_key=consumer_key,
        oauth_timestamp=str(timestamp),
        oauth_nonce=nonce,
        oauth_signature_method=signature_method,
    )
    base = signature_base_string(method, url, signed)
    signed["oauth_signature"] = compute_signature(base, consumer_secret, signature_method)
    return signed

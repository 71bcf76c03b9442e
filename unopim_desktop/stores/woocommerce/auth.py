"""WooCommerce REST authentication (store-apis A2).

Over HTTPS the consumer key and secret go in HTTP Basic (or, for servers that strip the
`Authorization` header, in the query string), as the official Python client does. Over plain HTTP
WooCommerce ignores both and only accepts OAuth 1.0a "one-legged" signatures: the parameters of
the query string plus the `oauth_*` ones, signed with HMAC-SHA256 and the key `consumer_secret&`.
The request body is never signed. The signed parameters travel in the query string, which
WooCommerce has accepted in every version (the `Authorization: OAuth` header only since 3.0).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Generator, Iterable
from urllib.parse import quote

import httpx

SIGNATURE_METHOD = "HMAC-SHA256"
_DIGESTS = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}


def percent_encode(value: str) -> str:
    """RFC 3986 encoding, PHP's `rawurlencode`: everything but `A-Z a-z 0-9 - . _ ~` is escaped."""
    return quote(value, safe="~")


def base_string_uri(url: httpx.URL | str) -> str:
    """The request URL as OAuth signs it: scheme and host in lower case, default port dropped, no query."""
    u = httpx.URL(str(url))
    scheme = u.scheme.lower()
    host = u.host.lower()
    if ":" in host:  # an IPv6 literal keeps its brackets in a URL
        host = f"[{host}]"
    default_port = {"http": 80, "https": 443}.get(scheme)
    port = f":{u.port}" if u.port is not None and u.port != default_port else ""
    path = u.raw_path.decode("ascii").split("?", 1)[0] or "/"
    return f"{scheme}://{host}{port}{path}"


def normalize_parameters(params: Iterable[tuple[str, str]]) -> str:
    """Encode each name and value, sort by name then value, join as `a=1&b=2` (RFC 5849 §3.4.1.3.2)."""
    encoded = sorted((percent_encode(k), percent_encode(v)) for k, v in params)
    return "&".join(f"{k}={v}" for k, v in encoded)


def signature_base_string(method: str, url: httpx.URL | str, params: Iterable[tuple[str, str]]) -> str:
    """`METHOD&enc(url)&enc(normalized params)`; `params` must not contain `oauth_signature`."""
    return "&".join(
        (method.upper(), percent_encode(base_string_uri(url)), percent_encode(normalize_parameters(params)))
    )


def sign(base_string: str, consumer_secret: str, method: str = SIGNATURE_METHOD) -> str:
    # One-legged: there is no token secret, but the `&` separator stays (WooCommerce, v3 API).
    key = f"{consumer_secret}&".encode()  # WooCommerce does not encode the secret here
    digest = hmac.new(key, base_string.encode(), _DIGESTS[method]).digest()
    return base64.b64encode(digest).decode("ascii")


def _default_nonce() -> str:
    return secrets.token_hex(16)


class WooCommerceOAuth1(httpx.Auth):
    """Signs each request (query-string OAuth 1.0a, HMAC-SHA256) for WooCommerce over plain HTTP."""

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        *,
        clock: Callable[[], float] = time.time,
        nonce: Callable[[], str] = _default_nonce,
        signature_method: str = SIGNATURE_METHOD,
    ) -> None:
        if signature_method not in _DIGESTS:
            raise ValueError(f"unsupported signature method {signature_method}")
        self._key = consumer_key
        self._secret = consumer_secret
        self._clock = clock
        self._nonce = nonce
        self._method = signature_method

    def oauth_params(self) -> dict[str, str]:
        # No oauth_version: WooCommerce's docs say to leave it out.
        return {
            "oauth_consumer_key": self._key,
            "oauth_timestamp": str(int(self._clock())),
            "oauth_nonce": self._nonce(),
            "oauth_signature_method": self._method,
        }

    def signed_url(self, method: str, url: httpx.URL) -> httpx.URL:
        # A request re-sent (retries) must not carry the previous attempt's signature.
        query = [(k, v) for k, v in url.params.multi_items() if not k.startswith("oauth_")]
        oauth = self.oauth_params()
        base = signature_base_string(method, url, [*query, *oauth.items()])
        oauth["oauth_signature"] = sign(base, self._secret, self._method)
        return url.copy_with(params=httpx.QueryParams([*query, *oauth.items()]))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.url = self.signed_url(request.method, request.url)
        yield request


class QueryStringAuth(httpx.Auth):
    """`?consumer_key=…&consumer_secret=…` over HTTPS, for servers that drop the Authorization header.

    The keys end up in the URL, so every error and log line must use `safe_url` (no query).
    """

    def __init__(self, consumer_key: str, consumer_secret: str) -> None:
        self._key = consumer_key
        self._secret = consumer_secret

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        query = [(k, v) for k, v in request.url.params.multi_items() if k not in ("consumer_key", "consumer_secret")]
        query += [("consumer_key", self._key), ("consumer_secret", self._secret)]
        request.url = request.url.copy_with(params=httpx.QueryParams(query))
        yield request


def auth_for(url: str, consumer_key: str, consumer_secret: str, *, query_string: bool = False) -> httpx.Auth:
    """The scheme WooCommerce accepts at this address: Basic (or query) over HTTPS, OAuth 1.0a over HTTP."""
    if httpx.URL(url).scheme == "https":
        if query_string:
            return QueryStringAuth(consumer_key, consumer_secret)
        return httpx.BasicAuth(consumer_key, consumer_secret)
    return WooCommerceOAuth1(consumer_key, consumer_secret)

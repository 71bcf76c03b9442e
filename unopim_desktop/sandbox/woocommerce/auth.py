"""Who is calling: WooCommerce API keys (`WC_REST_Authentication`) and WordPress application passwords.

Over HTTPS WooCommerce reads `consumer_key`/`consumer_secret` query parameters, then HTTP Basic.
Over plain HTTP it ignores both and only accepts OAuth 1.0a one-legged signatures. A request with
no usable credentials is anonymous and fails later with the route's capability error, not here.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import time

from unopim_desktop.sandbox import oauth1
from unopim_desktop.sandbox.woocommerce.errors import WooError
from unopim_desktop.sandbox.woocommerce.http import WooRequest
from unopim_desktop.sandbox.woocommerce.state import ApiKey
from unopim_desktop.sandbox.woocommerce.wp import sanitize_text_field

NONCE_WINDOW_S = 15 * 60


def _auth_error(message: str) -> WooError:
    return WooError("woocommerce_rest_authentication_error", message, 401)


def basic_credentials(req: WooRequest) -> tuple[str, str] | None:
    header = req.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=False).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def _php_empty(value: object) -> bool:
    return value is None or value in ("", "0", 0) or value == {}


def authenticate(req: WooRequest) -> tuple[ApiKey | None, WooError | None]:
    """(key, None) when authenticated, (None, error) to refuse, (None, None) when anonymous."""
    state = req.state
    error: WooError | None = None
    if req.scheme == "https":
        key_value, secret = "", ""
        query = req.query_php
        if not _php_empty(query.get("consumer_key")) and not _php_empty(query.get("consumer_secret")):
            key_value, secret = str(query["consumer_key"]), str(query["consumer_secret"])
        if not key_value:
            basic = basic_credentials(req)
            if basic and basic[0] and basic[1]:
                key_value, secret = basic
        if key_value and secret:
            key = state.keys.get(sanitize_text_field(key_value))
            # An unknown key is not an error: the request just goes on anonymously.
            if key is not None:
                if hmac.compare_digest(key.consumer_secret.encode(), secret.encode()):
                    return key, None
                error = _auth_error("Consumer secret is invalid.")
    return _oauth(req, error)


def _oauth(req: WooRequest, earlier_error: WooError | None) -> tuple[ApiKey | None, WooError | None]:
    params = dict(req.query_php)
    params.update(req.form_php)
    header = req.headers.get("authorization", "")
    if header:
        params.update(oauth1.parse_authorization_header(header))
    missing = [name for name in oauth1.REQUIRED_PARAMS if _php_empty(params.get(name))]
    if len(missing) == len(oauth1.REQUIRED_PARAMS):
        return None, earlier_error  # not even trying OAuth
    if missing:
        noun = "parameter" if len(missing) == 1 else "parameters"
        return None, WooError(
            "woocommerce_rest_authentication_missing_parameter",
            f"Missing OAuth {noun} {', '.join(missing)}",
            401,
        )
    state = req.state
    key = state.keys.get(sanitize_text_field(str(params["oauth_consumer_key"])))
    if key is None:
        return None, _auth_error("Consumer key is invalid.")
    if params["oauth_signature_method"] not in oauth1.SIGNATURE_METHODS:
        return None, _auth_error("Invalid signature - signature method is invalid.")
    url = f"{req.scheme}://{req.host}{req.raw_path}"
    if not oauth1.signature_matches(req.http_method, url, params, key.consumer_secret):
        return None, _auth_error("Invalid signature - provided signature does not match.")
    try:
        timestamp = int(str(params["oauth_timestamp"]))
    except ValueError:
        return None, _auth_error("Invalid timestamp.")
    now = int(time.time())
    if timestamp < now - NONCE_WINDOW_S or timestamp > now + NONCE_WINDOW_S:
        return None, _auth_error("Invalid timestamp.")
    nonce = str(params["oauth_nonce"])
    with state.lock:
        if nonce in key.nonces.values():
            return None, _auth_error("Invalid nonce - nonce has already been used.")
        key.nonces[timestamp] = nonce
        for stamp in [s for s in key.nonces if s < now - NONCE_WINDOW_S]:
            del key.nonces[stamp]
    return key, None


def check_key_permissions(key: ApiKey, method: str) -> None:
    """`check_permissions`: a read key cannot write, a write key cannot read."""
    if method in ("GET", "HEAD"):
        if key.permissions not in ("read", "read_write"):
            raise _auth_error("The API key provided does not have read permissions.")
    elif method in ("POST", "PUT", "PATCH", "DELETE"):
        if key.permissions not in ("write", "read_write"):
            raise _auth_error("The API key provided does not have write permissions.")
    elif method != "OPTIONS":
        raise _auth_error("Unknown request method.")


def authenticate_app_password(req: WooRequest) -> bool:
    """WordPress application passwords on `wp/v2` routes: True when valid, False when no Basic header.

    Wrong credentials raise the 401 WordPress gives (`invalid_username` / `incorrect_password`).
    """
    basic = basic_credentials(req)
    if basic is None:
        return False
    user, password = basic
    state = req.state
    if user != state.wp_user:
        raise WooError("invalid_username", "Unknown username. Check again or try your email address.", 401)
    wanted = "".join(ch for ch in state.wp_app_password if ch.isalnum())
    given = "".join(ch for ch in password if ch.isalnum())
    if not hmac.compare_digest(wanted.encode(), given.encode()):
        raise WooError("incorrect_password", "The provided password is an invalid application password.", 401)
    return True

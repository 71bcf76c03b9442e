"""Servers that answer badly, case by case, through the CLI as a merchant runs it: HTML instead of JSON,
cut-off or mistyped JSON, `null` where an object belongs, missing keys, a 200 that carries an error,
huge answers, redirects to a login page, a certificate that cannot be verified, a server that never
answers and one that trickles its answer. Each case asserts the exact message, the exit code, and that
nothing else changed (every table but the Logs is as before; no secret in the output).

The sandbox peers serve the hostile answers through scripted fault rules on real loopback sockets; the
deadlines are the forms' and the sync's real shape scaled down to fractions of a second (injected), so no
case waits the ~20 s a real form allows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.faults import SHORT_FORM, scripted
from unopim_desktop.app import connection as connection_module
from unopim_desktop.app.session import UnoPimSession
from unopim_desktop.cli import main
from unopim_desktop.clients import http as http_module
from unopim_desktop.clients.http import RetryPolicy
from unopim_desktop.clients.unopim import UnoPimClient
from unopim_desktop.sandbox.faults import FaultRule
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox
from unopim_desktop.stores.bigcommerce import verify as bc_verify
from unopim_desktop.stores.woocommerce import verify as woo_verify

DB = "unopim-desktop.sqlite3"
HTML = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
LOGIN = b"<!DOCTYPE html><html><body><form action='/login'>Sign in</form></body></html>"
# The sync's policy (retries, a request deadline, a call budget) scaled down like SHORT_FORM.
QUICK = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02, max_retry_after=0.5, request_deadline=0.3,
                    deadline=1.0)
HUGE = b'{"data": [' + b",".join([b'{"code": "x%d", "name": "%s"}' % (i, b"y" * 200) for i in range(60_000)]) + b"]}"


def answer(path: str, body: bytes | str, *, status: int = 200, content_type: str = "application/json",
           method: str = "*", headers: dict[str, str] | None = None) -> FaultRule:
    raw = body.encode() if isinstance(body, str) else body
    return FaultRule("answer", method=method, path=path, status=status, body=raw, content_type=content_type,
                     headers=headers or {})


def redirect(path: str, to: str) -> FaultRule:
    return FaultRule("answer", path=path, status=302, body=b"", content_type="text/html", headers={"Location": to})


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    sb = start_sandbox(SandboxOptions(products=3, seed=7))
    yield sb
    sb.stop()


@pytest.fixture(autouse=True)
def short_deadlines(monkeypatch: pytest.MonkeyPatch) -> None:
    """The forms' policies (two tries in a budget) and the sync's, in fractions of a second."""
    monkeypatch.setattr(connection_module, "FORM_RETRY", SHORT_FORM)
    monkeypatch.setattr(woo_verify, "PROBE", SHORT_FORM)
    monkeypatch.setattr(bc_verify, "PROBE", SHORT_FORM)
    monkeypatch.setattr(http_module, "MAX_JSON_BYTES", 1_000_000)  # HUGE is 13 MB; the real limit is 256 MB
    monkeypatch.setattr(UnoPimSession, "_make_client",
                        lambda self, creds: UnoPimClient(creds, retry=QUICK, on_token_state=self._on_token_state))


def connect_args(sb: Sandbox, data: Path) -> list[str]:
    u = sb.credentials()["unopim"]
    return ["--data-dir", str(data), "connect", "--url", u["url"], "--client-id", u["client_id"],
            "--username", u["username"], "--client-secret", u["client_secret"], "--password", u["password"]]


def store_args(sb: Sandbox, kind: str, label: str = "Shop") -> list[str]:
    c = sb.credentials()[kind]
    if kind == "woocommerce":
        return ["store", "add", kind, "--label", label, "--url", c["url"], "--consumer-key", c["consumer_key"],
                "--consumer-secret", c["consumer_secret"]]
    return ["store", "add", kind, "--label", label, "--api-url", c["api_url"], "--access-token", c["access_token"]]


def tables(data: Path) -> dict[str, list[str]]:
    """Every row of every table but the Logs' (a failed test or run rightly adds Logs rows) and the
    connection's badge (status, its reason and when it was set: a failed test rightly shows "not connected")."""
    with sqlite3.connect(data / DB) as db:
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                 if n not in ("logentry", "sqlite_sequence", "instance")]
        out = {n: sorted(map(repr, db.execute(f"SELECT * FROM {n}"))) for n in names}  # noqa: S608
        out["instance"] = sorted(map(repr, db.execute("SELECT address, client_id, username FROM instance")))
        return out


def secrets(sb: Sandbox) -> list[str]:
    c = sb.credentials()
    return [c["unopim"]["client_secret"], c["unopim"]["password"], c["woocommerce"]["consumer_secret"],
            c["bigcommerce"]["access_token"]]


NOT_API = ("{what} (HTTP {status}): this address is not answering as the UnoPim API — perhaps a login page, a proxy "
           "or a different site.")
NOT_API_FIX = ("Check the address is the UnoPim admin address itself and that no proxy or single sign-on page stands "
               "in front of it.")
SLOW_FIX = "Check that the UnoPim address opens in a browser; if it does, UnoPim is busy or slow: try again in a few minutes."
STORE_SLOW_FIX = ("Check the address and your internet connection, then try again; if the store is busy or slow, try "
                  "again later.")
NOT_WORDPRESS = ("{woo} does not look like a WordPress site with WooCommerce: there is no WordPress REST API at "
                 "{woo}/wp-json/. Check the address (it is the shop's home page address), and that WordPress → "
                 "Settings → Permalinks is not set to “Plain”.")
NOT_BC = ("{bc} did not answer like a BigCommerce store. Check the API URL; it should look like "
          "https://api.bigcommerce.com/stores/<store-hash>/.")


def sign_in(what: str, status: int = 200) -> str:
    """`connect`'s first line: the reason (the fix follows on its own line)."""
    return NOT_API.format(what=what, status=status)


def api(what: str, status: int = 200) -> str:
    """`channels refresh`'s line: the reason and the fix."""
    return f"{NOT_API.format(what=what, status=status)} {NOT_API_FIX}"


HTML_WHAT = "The server answered with an HTML page instead of JSON"
CUT_WHAT = "The server's answer is cut off or damaged JSON"
LOGIN_WHAT = "The server redirected the request to {unopim}/admin/login instead of answering it"

# (id, peer, fault rule, what runs: "connect" | "refresh" | "store:<kind>", exit code, stderr's first line)
# `{unopim}`, `{woo}`, `{bc}` stand for the peers' addresses.
CASES = [
    # -- UnoPim's sign-in (`connect`) ------------------------------------------------------------------
    ("token-html", "unopim", answer("/oauth/token$", HTML, content_type="text/html"), "connect", 1, sign_in(HTML_WHAT)),
    ("token-truncated-json", "unopim", answer("/oauth/token$", '{"access_token": "abc", "expires_'), "connect", 1,
     sign_in(CUT_WHAT)),
    ("token-wrong-types", "unopim", answer("/oauth/token$", '{"access_token": 12345, "expires_in": "soon"}'),
     "connect", 1, sign_in("The sign-in answer has no access token")),
    ("token-null", "unopim", answer("/oauth/token$", "null"), "connect", 1, sign_in("The sign-in answer has no access token")),
    ("token-missing-keys", "unopim", answer("/oauth/token$", '{"token_type": "Bearer"}'), "connect", 1,
     sign_in("The sign-in answer has no access token")),
    ("token-200-with-error", "unopim",
     answer("/oauth/token$", '{"error": "invalid_grant", "message": "The user credentials were incorrect."}'),
     "connect", 1, sign_in("The sign-in answer carries an error instead of a token: “The user credentials were "
                           "incorrect.”")),
    ("token-redirect-to-login", "unopim", redirect("/oauth/token$", "/admin/login"), "connect", 1,
     sign_in(LOGIN_WHAT, 302)),
    ("token-never-answers", "unopim", FaultRule("hang", path="/oauth/token$"), "connect", 1,
     "HTTP 0: UnoPim at {unopim} did not answer within 0.3 s (tried 2 times)."),
    ("token-trickles", "unopim", FaultRule("trickle", path="/oauth/token$", interval_ms=100), "connect", 1,
     "HTTP 0: UnoPim at {unopim} was still sending its answer after 0.3 s (tried 2 times)."),
    # -- UnoPim's API (`channels refresh`) -------------------------------------------------------------
    ("api-html", "unopim", answer("/channels$", HTML, content_type="text/html"), "refresh", 1, api(HTML_WHAT)),
    ("api-truncated-json", "unopim", answer("/channels$", '{"data": [{"code": "default", "na'), "refresh", 1,
     api(CUT_WHAT)),
    ("api-wrong-types", "unopim", answer("/channels$", '{"data": "default", "total": "many"}'), "refresh", 1,
     api("/channels did not answer with a list envelope")),
    ("api-wrong-page-count", "unopim", answer("/channels$", '{"data": [{"code": "default"}], "last_page": "two"}'),
     "refresh", 1, api("/channels answered a last_page that is not a number: \"two\"")),
    ("api-null", "unopim", answer("/channels$", "null"), "refresh", 1, api("/channels did not answer with a list envelope")),
    ("api-null-items", "unopim", answer("/channels$", '{"data": [null, 5, "x"]}'), "refresh", 1,
     api("/channels listed an item that is not an object with a code: null")),
    ("api-missing-keys", "unopim", answer("/channels$", '{"data": [{"name": "No code"}]}'), "refresh", 1,
     api('/channels listed an item that is not an object with a code: {{"name": "No code"}}')),
    ("api-200-with-error", "unopim", answer("/channels$", '{"success": false, "message": "Server Error"}'),
     "refresh", 1, api("UnoPim answered /channels with an error: “Server Error”")),
    ("api-huge", "unopim", answer("/channels$", HUGE), "refresh", 1,
     api("The server's answer is 14 MB, more than the 1 MB an answer of this API can be")),
    ("api-redirect-to-login", "unopim", redirect("/channels$", "/admin/login"), "refresh", 1, api(LOGIN_WHAT, 302)),
    ("api-trickles", "unopim", FaultRule("trickle", path="/channels$", interval_ms=100), "refresh", 1,
     "HTTP 0: UnoPim at {unopim} was still sending its answer after 0.3 s (tried 2 times). " + SLOW_FIX),
    # -- a store's check when it is added (`store add`) ------------------------------------------------
    ("woo-html", "woocommerce", answer("/wp-json/wc/v3$", HTML, content_type="text/html"), "store:woocommerce", 1,
     NOT_WORDPRESS),
    ("woo-truncated-json", "woocommerce", answer("/wp-json/wc/v3$", '{"namespace": "wc/v3", "rou'),
     "store:woocommerce", 1, NOT_WORDPRESS),
    ("woo-wrong-types", "woocommerce", answer("/wp-json/wc/v3$", '{"namespace": 3, "routes": []}'),
     "store:woocommerce", 1, NOT_WORDPRESS),
    ("woo-200-with-error", "woocommerce",
     answer("/wp-json/wc/v3$", '{"code": "rest_no_route", "message": "No route was found", "data": {"status": 404}}'),
     "store:woocommerce", 1, "WordPress answers at {woo}, but the WooCommerce REST API (wc/v3) is not there. "
     "Activate the WooCommerce plugin (version 3.5 or newer) on this site."),
    ("woo-redirect-to-login", "woocommerce", redirect("/wp-json/wc/v3$", "/wp-login.php"), "store:woocommerce", 1,
     "{woo} sends its REST API to {woo}/wp-login.php (a login or maintenance page?) instead of answering. Let the "
     "WooCommerce REST API through whatever asks visitors to log in; {woo}/wp-json/wc/v3 must open as JSON in a "
     "private browser window."),
    ("woo-trickles", "woocommerce", FaultRule("trickle", path="/wp-json/wc/v3$", interval_ms=100),
     "store:woocommerce", 1,
     "The WooCommerce store “Shop” at {woo} was still sending its answer after 0.3 s (tried 2 times). " + STORE_SLOW_FIX),
    ("bc-html", "bigcommerce", answer("/v2/store$", HTML, content_type="text/html"), "store:bigcommerce", 1,
     "{bc} answered with a web page, not the BigCommerce API. Check the API URL; it should look like "
     "https://api.bigcommerce.com/stores/<store-hash>/."),
    ("bc-null", "bigcommerce", answer("/v2/store$", "null"), "store:bigcommerce", 1, NOT_BC),
    ("bc-missing-keys", "bigcommerce", answer("/v2/store$", "{}"), "store:bigcommerce", 1, NOT_BC),
    ("bc-never-answers", "bigcommerce", FaultRule("hang", path="/v2/store$"), "store:bigcommerce", 1,
     "The BigCommerce store “Shop” at {bc} did not answer within 0.3 s (tried 2 times). " + STORE_SLOW_FIX),
]


def _addresses(sb: Sandbox) -> dict[str, str]:
    c = sb.credentials()
    return {"unopim": c["unopim"]["url"], "woo": c["woocommerce"]["url"], "bc": c["bigcommerce"]["api_url"]}


@pytest.mark.parametrize(("peer", "rule", "command", "code", "line"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_a_server_answering_badly(sandbox, tmp_path, capsys, peer, rule, command, code, line):
    data = tmp_path / "data"
    assert main(connect_args(sandbox, data)) == 0
    if command == "refresh":
        assert main(["--data-dir", str(data), "channels", "refresh"]) == 0
    before = tables(data)
    capsys.readouterr()
    args = {"connect": connect_args(sandbox, data)[2:], "refresh": ["channels", "refresh"]}.get(command) \
        or store_args(sandbox, command.split(":")[1])
    rule.hits = 0
    with scripted(sandbox, peer, rule):
        got = main(["--data-dir", str(data), *args])
    out = capsys.readouterr()
    assert rule.hits >= 1
    assert "Traceback" not in out.err
    for secret in secrets(sandbox):
        assert secret not in out.err + out.out
    assert tables(data) == before
    expected = line.format(**_addresses(sandbox))
    assert (got, out.err.splitlines()[:1], out.out) == (code, [expected], "")


CERTIFICATE_FIX = ("Check that the address is right and that the site has a valid certificate. For a test site with a "
                   "self-signed certificate, install its certificate on this computer.")


@pytest.mark.parametrize("kind", ["woocommerce", "bigcommerce"])
def test_a_store_whose_certificate_cannot_be_verified(tmp_path, capsys, kind):
    """TLS is verified by default: a self-signed certificate the computer does not trust is refused, saying so
    and what to do, and no store is saved."""
    sb = start_sandbox(SandboxOptions(products=1, seed=7, tls=True, tls_peers=(kind,)))
    try:
        data = tmp_path / "data"
        assert main(connect_args(sb, data)) == 0
        before = tables(data)
        capsys.readouterr()
        got = main(["--data-dir", str(data), *store_args(sb, kind)])
        out = capsys.readouterr()
        site = _addresses(sb)["woo" if kind == "woocommerce" else "bc"]
        assert site.startswith("https://")
        assert (got, out.err.splitlines(), out.out) == (1, [
            f"The secure (HTTPS) connection to {site} failed: its certificate could not be verified. "
            + CERTIFICATE_FIX], "")
        assert tables(data) == before
        assert not any(secret in out.err for secret in secrets(sb))
    finally:
        sb.stop()


def test_an_unopim_whose_certificate_cannot_be_verified(tmp_path, capsys):
    """The same for UnoPim's sign-in: refused, and the message says it is the certificate (UnoPim was reached,
    so "check your firewall" would send the merchant the wrong way); nothing is saved."""
    sb = start_sandbox(SandboxOptions(products=1, seed=7, tls=True, tls_peers=("unopim",), only=("unopim",)))
    try:
        data = tmp_path / "data"
        assert sb.credentials()["unopim"]["url"].startswith("https://")
        got = main(connect_args(sb, data))
        out = capsys.readouterr()
        assert (got, out.err.splitlines(), out.out) == (1, [
            "HTTP 0: the secure (HTTPS) connection to UnoPim failed: its certificate could not be verified "
            "(self-signed certificate).",
            "Check that the address is right and that UnoPim has a valid certificate. For a test server with a "
            "self-signed certificate, install its certificate on this computer."], "")
        assert main(["--data-dir", str(data), "channels", "refresh"]) == 2  # nothing was saved to use
        assert capsys.readouterr().err.splitlines() == ["Connect to UnoPim first (Connection tab)."]
        assert not any(secret in out.err for secret in secrets(sb)[:2])
    finally:
        sb.stop()

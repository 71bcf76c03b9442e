"""Forms and flags, case by case, through both doors: the command line (`unopim-desktop connect`, `store add`)
and the use cases the window calls (`ConnectionService.test_and_save`, `StoreService.save`). Each case
asserts the exact sentence, the exit code (or the refused outcome) and that nothing else changed: no folder
created, no database row written, no request sent.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from unopim_desktop.app.application import App
from unopim_desktop.app.connection import ConnectionForm, normalize_address
from unopim_desktop.app.stores import StoreForm
from unopim_desktop.domain import StoreRow
from unopim_desktop.state import repo, stores_repo

PIM = "https://pim.example.com"
DB = "unopim-desktop.sqlite3"
LONG = "a" * 10_000
NOT_A_WEB_ADDRESS = "“{}” is not a web address. Start it with https:// or http://, for example https://pim.example.com."
BAD_HOST = "“{}” is not a valid host name (letters, digits, dots and hyphens). Use an address like https://pim.example.com."
ONE_LINE = ("The address contains a line break or another control character; type it on one line, for example "
            "{}.")

UNOPIM_ADDRESSES = [
    # (id, the address typed, the sentence)
    ("empty", "", "Enter the UnoPim address, for example https://pim.example.com."),
    ("spaces", "   ", "Enter the UnoPim address, for example https://pim.example.com."),
    ("no-scheme", "pim.example.com", NOT_A_WEB_ADDRESS.format("pim.example.com")),
    ("ftp", "ftp://pim.example.com", NOT_A_WEB_ADDRESS.format("ftp://pim.example.com")),
    ("a-path", "/var/www/unopim", NOT_A_WEB_ADDRESS.format("/var/www/unopim")),
    ("trailing-slash", "https://pim.example.com/", "Remove the trailing slash: use https://pim.example.com"),
    ("path-after-host", "https://pim.example.com/admin/dashboard",
     "Use just the bare UnoPim address, with no path: https://pim.example.com (a path gives HTTP 404)."),
    ("a-query", "https://pim.example.com?locale=en_US",
     "Use just the bare UnoPim address, with no path: https://pim.example.com (a path gives HTTP 404)."),
    ("cr-lf", "https://pim.example.com\r\nX-Injected: 1", ONE_LINE.format(PIM)),
    ("line-break-in-host", "https://pim.exa\nmple.com", ONE_LINE.format(PIM)),
    ("tab-in-host", "https://pim\t.example.com", ONE_LINE.format(PIM)),
    ("invalid-idna-a-label", "https://xn--zz.example.com", BAD_HOST.format("xn--zz.example.com")),
    ("invalid-idna-codepoint", "https://xn--a.example.com", BAD_HOST.format("xn--a.example.com")),
    ("unicode-label-ending-in-hyphen", "https://münchen-.example.com", BAD_HOST.format("münchen-.example.com")),
    ("10000-characters", f"https://{LONG}.com",
     "The address is 10,012 characters long (at most 2,048); paste just the address, for example "
     "https://pim.example.com."),
    ("label-over-63", f"https://{'a' * 64}.example.com", BAD_HOST.format(f"{'a' * 64}.example.com")),
    ("port-zero", "https://pim.example.com:0", "“https://pim.example.com:0” has an invalid port number."),
    ("port-over-65535", "https://pim.example.com:70000", "“https://pim.example.com:70000” has an invalid port number."),
    ("user-in-address", "https://admin:hunter2@pim.example.com",
     "Don't put a user name or password in the address; use the fields below."),
    ("unclosed-ipv6-bracket", "https://[::1:8080", "“https://[::1:8080” has a [ or ] that is not closed; an IPv6 "
     "address is written like https://[2001:db8::1]:8080."),
]

ACCEPTED_UNOPIM_ADDRESSES = [
    ("unicode-host", "https://Bücher.Example", "https://bücher.example"),
    ("punycode-host", "https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
    ("spaces-case-default-port", "  HTTPS://PIM.Example.com:443  ", PIM),
    ("ipv6-with-port", "http://[::1]:8080", "http://[::1]:8080"),
]


def connected_folder(root: Path, stores: tuple[str, ...] = ()) -> Path:
    """A data folder connected to PIM (no secrets needed: nothing here gets past the form) with stores."""
    app = App.open(root)
    app.ctx.lane.run_sync(repo.record_connection, PIM, client_id="id", username="u", ok=True)
    for label in stores:
        app.ctx.lane.run_sync(stores_repo.save_store, PIM, StoreRow(
            id=0, label=label, kind="woocommerce", url=f"https://{label.lower()}.example.com", key="ck_1",
            wp_user="", active=True, default_currency="EUR", default_locale="en_US", info={}))
    app.close()
    return root


def rows(root: Path) -> dict[str, list[tuple]]:
    """Every row of every table: "nothing else changed" for the database."""
    conn = sqlite3.connect(f"file:{root / DB}?mode=ro", uri=True)
    try:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def no_network(*_args: object) -> object:
    raise AssertionError("a request was about to be sent for input the form should have refused")


def connect_args(root: Path, url: str, *, client_id: str = "id", username: str = "admin@example.com") -> list[str]:
    return ["--data-dir", str(root), "connect", "--url", url, "--client-id", client_id, "--username", username,
            "--client-secret", "cs-not-used", "--password", "pw-not-used"]


@pytest.mark.parametrize(("typed", "line"), [c[1:] for c in UNOPIM_ADDRESSES], ids=[c[0] for c in UNOPIM_ADDRESSES])
def test_connect_refuses_the_address(tmp_path, capsys, typed, line):
    ran = run_cli(capsys, *connect_args(tmp_path / "new" / "data", typed))
    assert (ran.code, ran.lines, ran.out) == (2, [line], "")
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize(("typed", "line"), [c[1:] for c in UNOPIM_ADDRESSES], ids=[c[0] for c in UNOPIM_ADDRESSES])
def test_the_connection_form_refuses_the_address(tmp_path, typed, line):
    root = connected_folder(tmp_path / "data")
    before = rows(root)
    app = App.open(root, client_factory=no_network)
    try:
        outcome = asyncio.run(app.connection.test_and_save(ConnectionForm(typed, "id", "cs", "admin@example.com", "pw")))
    finally:
        app.close()
    assert (outcome.ok, outcome.reason, [(p.field, p.message) for p in outcome.problems]) == \
        (False, line, [("address", line)])
    assert rows(root) == before


@pytest.mark.parametrize(("typed", "kept"), [c[1:] for c in ACCEPTED_UNOPIM_ADDRESSES],
                         ids=[c[0] for c in ACCEPTED_UNOPIM_ADDRESSES])
def test_addresses_that_are_fine_are_kept_as_typed(typed, kept):
    assert normalize_address(typed) == kept


FIELDS = [
    # (id, client id, username, the sentence)
    ("client-id-spaces", "   ", "admin@example.com", "Enter the Client ID of the UnoPim API integration."),
    ("client-id-10000", LONG, "admin@example.com", "Client ID is 10,000 characters long; at most 255 are allowed."),
    ("client-id-cr-lf", "id\r\nX-Injected: 1", "admin@example.com",
     "Client ID: remove the line break or other control character; type it on one line."),
    ("username-empty", "id", "", "Enter the Admin Username (a UnoPim user with API access)."),
    ("username-10000", "id", LONG, "Admin Username is 10,000 characters long; at most 255 are allowed."),
    ("username-line-break", "id", "admin@example.com\nBcc: all@example.com",
     "Admin Username: remove the line break or other control character; type it on one line."),
]


@pytest.mark.parametrize(("client_id", "username", "line"), [c[1:] for c in FIELDS], ids=[c[0] for c in FIELDS])
def test_connect_refuses_the_field(tmp_path, capsys, client_id, username, line):
    root = connected_folder(tmp_path / "data")
    before = rows(root)
    ran = run_cli(capsys, *connect_args(root, PIM, client_id=client_id, username=username))
    assert (ran.code, ran.lines, ran.out) == (2, [line], "")
    assert rows(root) == before
    assert LONG not in ran.err


WOO = "“{}” is not a web address; it should look like https://shop.example.com."
STORE_CASES = [
    # (id, kind, label, address, key, the sentence)
    ("empty-address", "woocommerce", "Shop", "", "ck_1", "Enter the site address, for example https://shop.example.com."),
    ("spaces-address", "woocommerce", "Shop", "   ", "ck_1",
     "Enter the site address, for example https://shop.example.com."),
    ("no-scheme", "woocommerce", "Shop", "shop.example.com", "ck_1", WOO.format("shop.example.com")),
    ("ftp", "woocommerce", "Shop", "ftp://shop.example.com", "ck_1", WOO.format("ftp://shop.example.com")),
    ("a-path", "woocommerce", "Shop", "/srv/www/shop", "ck_1", WOO.format("/srv/www/shop")),
    ("a-query", "woocommerce", "Shop", "https://shop.example.com/?page_id=2", "ck_1",
     "Leave out the query string and fragment (the part after ? or #)."),
    ("cr-lf", "woocommerce", "Shop", "https://shop.example.com\r\nHost: evil.example", "ck_1",
     ONE_LINE.format("https://shop.example.com")),
    ("invalid-idna", "woocommerce", "Shop", "https://xn--zz.example.com", "ck_1",
     "“xn--zz.example.com” is not a valid host name; the address should look like https://shop.example.com."),
    ("10000-characters", "woocommerce", "Shop", f"https://{LONG}.com", "ck_1",
     "The address is 10,012 characters long (at most 2,048); paste just the address, for example "
     "https://shop.example.com."),
    ("port-zero", "woocommerce", "Shop", "https://shop.example.com:0", "ck_1",
     "“https://shop.example.com:0” has an invalid port number."),
    ("user-in-address", "woocommerce", "Shop", "https://admin:hunter2@shop.example.com", "ck_1",
     "Don't put a user name or password in the address; use the key fields below."),
    ("unclosed-ipv6-bracket", "woocommerce", "Shop", "http://[fe80::1/shop", "ck_1",
     "“http://[fe80::1/shop” has a [ or ] that is not closed; an IPv6 address is written like "
     "https://[2001:db8::1]:8080."),
    ("bigcommerce-not-the-api-url", "bigcommerce", "Shop", "https://shop.mybigcommerce.com/", "",
     "The API URL should look like https://api.bigcommerce.com/stores/<store-hash>/ — copy it from BigCommerce → "
     "Settings → API → Store-level API accounts."),
    ("label-spaces", "woocommerce", "   ", "https://shop.example.com", "ck_1",
     "Give the store a label, e.g. Production Store."),
    ("label-10000", "woocommerce", LONG, "https://shop.example.com", "ck_1",
     "Label is 10,000 characters long; at most 100 are allowed."),
    ("label-line-break", "woocommerce", "Shop\nEU", "https://shop.example.com", "ck_1",
     "Label: remove the line break or other control character; type it on one line."),
    ("key-10000", "woocommerce", "Shop", "https://shop.example.com", LONG,
     "Consumer key is 10,000 characters long; at most 255 are allowed."),
    ("key-empty", "woocommerce", "Shop", "https://shop.example.com", " ",
     "Enter the consumer key (WooCommerce → Settings → Advanced → REST API)."),
    ("duplicate-label", "woocommerce", "Existing", "https://other.example.com", "ck_1",
     "A store labelled “Existing” already exists."),
    ("duplicate-label-with-spaces", "woocommerce", "  Existing ", "https://other.example.com", "ck_1",
     "A store labelled “Existing” already exists."),
    ("duplicate-address", "woocommerce", "Second", "https://existing.example.com/", "ck_1",
     "The WooCommerce store at https://existing.example.com is already connected as “Existing”; edit that "
     "connection instead."),
]
# Refused by the form before the database is read (exit 2); the duplicates need the saved stores (exit 1,
# as any refused save).
NEEDS_THE_SAVED_STORES = {"duplicate-label", "duplicate-label-with-spaces", "duplicate-address"}


def store_args(root: Path, kind: str, label: str, url: str, key: str) -> list[str]:
    if kind == "bigcommerce":
        return ["--data-dir", str(root), "store", "add", kind, "--label", label, "--api-url", url,
                "--access-token", "tok-not-used"]
    return ["--data-dir", str(root), "store", "add", kind, "--label", label, "--url", url, "--consumer-key", key,
            "--consumer-secret", "cs-not-used"]


@pytest.mark.parametrize(("kind", "label", "url", "key", "line"), [c[1:] for c in STORE_CASES],
                         ids=[c[0] for c in STORE_CASES])
def test_store_add_refuses(tmp_path, capsys, kind, label, url, key, line, request):
    root = connected_folder(tmp_path / "data", stores=("Existing",))
    before = rows(root)
    ran = run_cli(capsys, *store_args(root, kind, label, url, key))
    code = 1 if request.node.callspec.id in NEEDS_THE_SAVED_STORES else 2
    assert (ran.code, ran.lines, ran.out) == (code, [line], "")
    assert rows(root) == before
    assert LONG not in ran.err


@pytest.mark.parametrize(("kind", "label", "url", "key", "line"), [c[1:] for c in STORE_CASES],
                         ids=[c[0] for c in STORE_CASES])
def test_the_store_form_refuses(tmp_path, kind, label, url, key, line):
    root = connected_folder(tmp_path / "data", stores=("Existing",))
    before = rows(root)
    app = App.open(root, adapter_factory=no_network)
    try:
        form = StoreForm(kind=kind, label=label, url=url, key=key, secret="cs", access_token="tok")
        outcome = asyncio.run(app.stores.save(form))
    finally:
        app.close()
    assert (outcome.ok, outcome.text) == (False, line)
    assert rows(root) == before


SETTINGS = [
    # (id, the change as the Settings tab hands it over, the sentence)
    ("max-delete-over-100", {"max_delete": "101"}, "Max delete must be a whole percentage from 0 to 100 (got “101”)."),
    ("max-delete-negative", {"max_delete": "-1"}, "Max delete must be a whole percentage from 0 to 100 (got “-1”)."),
    ("max-delete-decimal", {"max_delete": "12.5"}, "Max delete must be a whole percentage from 0 to 100 (got “12.5”)."),
    ("reconcile-hours-huge", {"reconcile_hours": "99999999999"},
     "Reconcile hours must be a whole number from 0 to 720 (30 days); got “99999999999”."),
    ("reconcile-hours-exponent", {"reconcile_hours": "1e3"},
     "Reconcile hours must be a whole number from 0 to 720 (30 days); got “1e3”."),
    ("retention-zero", {"log_retention_days": "0"}, "Keep logs must be a whole number of days from 1 to 3650; got “0”."),
    ("retention-10000-characters", {"log_retention_days": "9" * 10_000},
     f"Keep logs must be a whole number of days from 1 to 3650; got “{'9' * 39}… (10,000 characters)”."),
    ("on-delete-unknown", {"on_delete": "shred"}, "On delete must be one of trash, delete, skip."),
]


@pytest.mark.parametrize(("changes", "line"), [c[1:] for c in SETTINGS], ids=[c[0] for c in SETTINGS])
def test_the_settings_tab_refuses_out_of_range_values(tmp_path, changes, line):
    from unopim_desktop.app.settings import SettingsError

    root = connected_folder(tmp_path / "data")
    before = rows(root)
    app = App.open(root)
    try:
        with pytest.raises(SettingsError) as refused:
            asyncio.run(app.settings.save(changes))
    finally:
        app.close()
    assert str(refused.value) == line
    assert rows(root) == before

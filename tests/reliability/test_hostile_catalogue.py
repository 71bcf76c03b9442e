"""Catalogue data a merchant's UnoPim really holds, pulled into the sandbox store: duplicate SKUs, empty
names, emoji and right-to-left text, 1 MB descriptions, prices like "12,50" or negative, unknown locales and
currencies, cyclic category parents, variants without axis values, products without a family. One bad
product never stops the others; each refusal is a Logs row (in the database) naming the entity and the
reason; the healthy products land exactly as in a run without the bad ones; a second pull writes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import io
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.app import connected_app, store_state
from unopim_desktop.cli import main
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox

OPTS = dict(products=4, seed=3)
MB = 1_000_000
Record = dict[str, Any]


def _en(rec: Record) -> Record:
    return rec["values"]["channel_locale_specific"]["default"]["en_US"]


def _names(name: str) -> Callable[[Record], None]:
    def apply(rec: Record) -> None:
        for per_locale in rec["values"]["channel_locale_specific"].values():
            for values in per_locale.values():
                values["name"] = name
    return apply


def _price(amounts: dict[str, str]) -> Callable[[Record], None]:
    return lambda rec: _en(rec).__setitem__("price", amounts)


HOSTILE: list[tuple[str, Callable[[Record], None]]] = [
    ("DUP-1", lambda rec: None),
    ("dup-1", lambda rec: None),  # the same SKU to the store (WooCommerce compares SKUs case-insensitively)
    ("EMPTY-NAME", _names("")),
    ("EMOJI-RTL", _names("Lampe 🌟 مصباح עברית")),
    ("BIG-DESC", lambda rec: _en(rec).__setitem__("description", "<p>" + "x" * MB + "</p>")),
    ("PRICE-COMMA", _price({"USD": "12,50", "EUR": "12,50"})),
    ("PRICE-NEGATIVE", _price({"USD": "-5.00", "EUR": "-5.00"})),
    ("UNKNOWN-LOCALE", lambda rec: rec["values"]["channel_locale_specific"]["default"].update(
        {"xx_XX": {"name": "Unbekannt"}})),
    ("UNKNOWN-CURRENCY", _price({"XYZ": "9.99"})),
    ("NO-FAMILY", lambda rec: rec.__setitem__("family", None)),
    ("GHOST-FAMILY", lambda rec: rec.__setitem__("family", "ghost")),
    ("IN-LOOP", lambda rec: rec["values"].__setitem__("categories", ["loop_a"])),
]


def seed_hostile(sb: Sandbox) -> dict[str, str]:
    """The bad records, copies of one healthy simple product (each its own name, as a store may require);
    the configurable product's first variant loses its axis values. Returns names worth knowing."""
    st = sb.unopim
    base = next(p for p in st.products.values()
                if p["type"] == "simple" and not p.get("parent_id") and p["family"] != "clothing")
    for n, (sku, mutate) in enumerate(HOSTILE):
        rec = copy.deepcopy({k: v for k, v in base.items() if k != "id"})
        rec["values"]["common"].update(sku=sku, url_key=sku.lower())
        _names(f"Copy {n} of the healthy product")(rec)
        mutate(rec)
        st.insert_product(rec)
    for code, parent in (("loop_a", "loop_b"), ("loop_b", "loop_a")):
        st.insert_category({"code": code, "parent": parent,
                            "additional_data": {"locale_specific": {"en_US": {"name": code}}}})
    conf = next(p for p in st.products.values() if p["type"] == "configurable")
    child = min((p for p in st.products.values() if p.get("parent_id") == conf["id"]), key=lambda p: p["id"])
    for axis in conf["super_attributes"]:
        child["values"]["common"].pop(axis, None)
    return {"configurable": conf["sku"], "variant": child["sku"], "axes": ", ".join(conf["super_attributes"])}


def pull_twice(sb: Sandbox, data: Path) -> tuple[str, tuple[int, dict[str, Any]], int]:
    """A Pull Full in the window's engine, then another from the command line (`sync pull --full --json`):
    (the first's status, the command's exit code and summary, store writes by the second)."""
    async def first() -> str:
        async with connected_app(data, sb) as app:
            return (await app.engine.pull(full=True)).status

    status = asyncio.run(first())
    writes = sb.woocommerce.write_count()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--data-dir", str(data), "sync", "pull", "--full", "--json"])
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    return status, (code, summary), sb.woocommerce.write_count() - writes


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, Any]:
    sb = start_sandbox(SandboxOptions(**OPTS))
    try:
        status, (code, _), _ = pull_twice(sb, tmp_path_factory.mktemp("reference") / "data")
        assert (status, code) == ("done", 0)
        return store_state(sb)
    finally:
        sb.stop()


@pytest.fixture(scope="module")
def pulled(tmp_path_factory) -> Iterator[dict[str, Any]]:
    sb = start_sandbox(SandboxOptions(**OPTS))
    try:
        names = seed_hostile(sb)
        data = tmp_path_factory.mktemp("hostile") / "data"
        first, second, rewrites = pull_twice(sb, data)
        conn = sqlite3.connect(data / "unopim-desktop.sqlite3")
        logs = conn.execute("SELECT level, entity, message FROM logentry WHERE level IN ('warning', 'error') "
                            "ORDER BY id").fetchall()
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        conn.close()
        yield {"sb": sb, "names": names, "state": store_state(sb), "first": first, "second": second,
               "rewrites": rewrites, "logs": logs, "integrity": integrity}
    finally:
        sb.stop()


def _price_row(sku: str, why: str) -> tuple[str, str]:
    return "error", f"Product {sku} failed: {why}; correct it in UnoPim"


REFUSED = [
    # (id, SKU, the Logs row's level and message — twice: once per pull)
    ("duplicate-sku", "dup-1", ("error", "Product dup-1 failed: Invalid or duplicated SKU.")),
    ("price-with-a-comma", "PRICE-COMMA", _price_row(
        "PRICE-COMMA", "its price “12,50” USD is not an amount with a dot for decimals (the store would read another "
        "price)")),
    ("negative-price", "PRICE-NEGATIVE", _price_row("PRICE-NEGATIVE", "its price -5.00 USD is negative")),
    ("no-family", "NO-FAMILY",
     ("error", "Product NO-FAMILY failed: missing family: it has no family in UnoPim; give it one there")),
    ("unknown-family", "GHOST-FAMILY",
     ("error", "Product GHOST-FAMILY failed: missing family: “ghost” is not a UnoPim family")),
]


@pytest.mark.parametrize(("sku", "row"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_a_bad_product_is_refused_with_a_logs_row(pulled, sku, row):
    assert sku not in pulled["state"]
    assert [(level, message) for level, entity, message in pulled["logs"] if entity == sku] == [row, row]


def test_a_variant_without_axis_values_is_refused_and_its_siblings_go_on(pulled, reference):
    names = pulled["names"]
    conf, variant = names["configurable"], names["variant"]
    row = ("error", f"Variant {variant} failed: it has no value for {names['axes']}, the variant axes of {conf} "
                    f"(the store would sell it as any {names['axes'].split(', ')[0]}); set it in UnoPim")
    assert [(lv, m) for lv, e, m in pulled["logs"] if e == variant] == [row, row]
    expected = [v for v in reference[conf]["variations"] if v[0] != variant]
    assert pulled["state"][conf]["variations"] == expected and len(expected) == 3


def test_cyclic_category_parents_are_refused_and_the_product_still_lands(pulled):
    for code, loop in (("loop_a", "loop_a → loop_b → loop_a"), ("loop_b", "loop_b → loop_a → loop_b")):
        row = ("warning", f"Category {code} not pulled: its parents form a loop ({loop}); set another parent in UnoPim.")
        assert [(lv, m) for lv, e, m in pulled["logs"] if e == code] == [row, row]
    assert pulled["state"]["IN-LOOP"]["categories"] == ["Uncategorized"]


def test_an_unknown_currency_leaves_the_price_empty_and_says_so(pulled):
    assert pulled["state"]["UNKNOWN-CURRENCY"]["regular_price"] == ""
    row = ("warning", "Product UNKNOWN-CURRENCY: no price in USD (UnoPim has XYZ); the store price stays empty. Add "
                      "the price in UnoPim, or map the channel's currency (Channels & Stores).")
    assert [(lv, m) for lv, e, m in pulled["logs"] if e == "UNKNOWN-CURRENCY"] == [row]  # said when it is written


KEPT = [
    # (id, SKU, what the store shows)
    ("first-of-the-duplicate-skus", "DUP-1", {"name": "Copy 0 of the healthy product"}),
    ("empty-name-falls-back-to-the-sku", "EMPTY-NAME", {"name": "EMPTY-NAME"}),
    ("emoji-and-right-to-left", "EMOJI-RTL", {"name": "Lampe 🌟 مصباح עברית"}),
    ("unknown-locale-ignored", "UNKNOWN-LOCALE", {"name": "Copy 7 of the healthy product"}),
]


@pytest.mark.parametrize(("sku", "shown"), [c[1:] for c in KEPT], ids=[c[0] for c in KEPT])
def test_odd_but_valid_data_lands_as_it_is(pulled, sku, shown):
    assert {k: pulled["state"][sku][k] for k in shown} == shown
    assert not [row for row in pulled["logs"] if row[1] == sku]


def test_a_1_mb_description_lands_whole(pulled):
    stored = pulled["sb"].woocommerce.product_by_sku("BIG-DESC")
    assert stored["description"].strip() == "<p>" + "x" * MB + "</p>"  # WordPress adds a line break


def test_the_healthy_products_land_as_without_the_bad_ones_and_a_rerun_writes_nothing(pulled, reference):
    conf, variant = pulled["names"]["configurable"], pulled["names"]["variant"]
    for sku, expected in reference.items():
        got = dict(pulled["state"][sku])
        if sku == conf:
            got["variations"], expected = "checked above", {**expected, "variations": "checked above"}
        # upsells/cross-sells may point at the healthy copies too: compare the reference's own SKUs
        for key in ("upsells", "cross_sells"):
            got[key] = [s for s in got[key] if s in reference]
        assert got == expected, sku
    assert variant not in {v[0] for p in pulled["state"].values() for v in p["variations"]}
    code, summary = pulled["second"]
    # The command's exit code for a run where some items failed, and its summary: the same refusals.
    assert (pulled["first"], code, summary["status"], pulled["rewrites"]) == ("partial", 1, "partial", 0)
    failed = {kind: counts["failed"] for kind, counts in summary["totals"].items()
              if counts.get("failed")}
    assert failed == {"product": 5, "variant": 1}
    assert pulled["integrity"] == "ok"


LONG_SKU = "SKU-" + "9" * 296  # valid in UnoPim; BigCommerce keeps at most 255 characters


def test_into_bigcommerce_what_it_cannot_hold_is_refused_item_by_item(tmp_path):
    sb = start_sandbox(SandboxOptions(**OPTS))
    try:
        st = sb.unopim
        base = next(p for p in st.products.values()
                    if p["type"] == "simple" and not p.get("parent_id") and p["family"] != "clothing")
        for n, (sku, mutate) in enumerate([(LONG_SKU, lambda rec: None),
                                           ("BIG-DESC", HOSTILE[4][1]), ("EMOJI-RTL", HOSTILE[3][1])]):
            rec = copy.deepcopy({k: v for k, v in base.items() if k != "id"})
            rec["values"]["common"].update(sku=sku, url_key=sku.lower()[:60])
            _names(f"Copy {n} of the healthy product")(rec)
            mutate(rec)
            st.insert_product(rec)

        async def go() -> list[tuple[str, str, str]]:
            async with connected_app(tmp_path / "data", sb, store="bigcommerce") as app:
                outcome = await app.engine.pull(full=True)
                assert outcome.status == "partial"
                return [(r.level, r.entity, r.message) for r in app.logs if r.level == "error"]

        errors = asyncio.run(go())
        skus = {p["sku"] for p in sb.bigcommerce.products()}
    finally:
        sb.stop()
    assert errors == [
        ("error", LONG_SKU, f"Product {LONG_SKU} failed: JSON data is missing or invalid (sku: The sku "
                                "must be a string of at most 255 characters.)"),
        ("error", "BIG-DESC", "Product BIG-DESC failed: JSON data is missing or invalid (description: The description "
                              "must be a string of at most 1000000 characters.)"),
    ]
    assert "EMOJI-RTL" in skus and LONG_SKU not in skus and "BIG-DESC" not in skus
    assert {p["sku"] for p in sb.catalogue.products if not p.get("parent")} <= skus


STORE_ITEMS = [
    {"name": "Bad sku", "sku": "BAD SKU/1", "regular_price": "5.00"},
    {"name": "No sku at all", "regular_price": "5.00"},
    {"name": "", "sku": "EMPTY-NAME", "regular_price": "5.00"},
    {"name": "Lampe 🌟 مصباح עברית", "sku": "EMOJI-RTL", "regular_price": "5.00"},
    {"name": "Negative", "sku": "NEG-PRICE", "regular_price": "-5.00"},
    {"name": "Big", "sku": "BIG-DESC", "regular_price": "5.00", "description": "<p>" + "x" * MB + "</p>"},
]


def test_hostile_store_data_pushed_into_unopim_item_by_item(tmp_path):
    """The other way: what a shop holds that UnoPim cannot take is refused one product at a time (UnoPim's
    own validation, quoted), odd but valid text lands as it is, and a second Push All writes nothing."""
    from tests.support.app import woo_api

    sb = start_sandbox(SandboxOptions(products=4, seed=3, seed_side="store"))
    try:
        ids = {}
        for item in STORE_ITEMS:
            made = woo_api(sb, "POST", "/products", json=item)
            assert made.status_code == 201, made.text
            ids[item.get("sku") or item["name"]] = made.json()["id"]

        async def go() -> tuple[str, list[tuple[str, str, str]], int]:
            async with connected_app(tmp_path / "data", sb) as app:
                outcome = await app.engine.push(changed=False)
                writes = sb.unopim.write_count()
                again = await app.engine.push(changed=False)
                assert again.status == "partial"
                rows = [(r.level, r.entity, r.message) for r in app.logs if r.entity_kind == "product"
                        and (r.level == "error" or "not pushed" in r.message)]
                return outcome.status, rows, sb.unopim.write_count() - writes

        status, rows, rewrites = asyncio.run(go())
        name = {sku: ((sb.unopim.get_product(sku) or {}).get("values") or {}).get("channel_locale_specific", {})
                .get("default", {}).get("en_US", {}) for sku in ("EMOJI-RTL", "EMPTY-NAME", "BIG-DESC")}
        refused = sb.unopim.get_product("BAD SKU/1"), sb.unopim.get_product("NEG-PRICE")
    finally:
        sb.stop()
    invalid = "HTTP 422: Validation failed."
    once = [
        ("info", f"#{ids['No sku at all']}",
         f"Product #{ids['No sku at all']} not pushed: it has no SKU; UnoPim identifies products by SKU"),
        ("error", "BAD SKU/1", f"Product BAD SKU/1 failed: {invalid} (common.sku: The sku must be a valid SKU "
                               "(alphanumeric characters, hyphens, and underscores only).)"),
        ("error", "NEG-PRICE", f"Product NEG-PRICE failed: {invalid} (channel_locale_specific.default.en_US.price: "
                               "The price field format is invalid.)"),
    ]
    assert (status, rewrites) == ("partial", 0)
    assert sorted(rows) == sorted(once + once)  # each run says it again
    assert refused == (None, None)
    assert name["EMOJI-RTL"]["name"] == "Lampe 🌟 مصباح עברית"
    assert name["EMPTY-NAME"]["name"] == "Product"  # WooCommerce names a product saved without one "Product"
    assert name["BIG-DESC"]["description"].strip() == "<p>" + "x" * MB + "</p>"

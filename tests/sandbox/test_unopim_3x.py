"""UnoPim sandbox in the real servers' 3.x modes (unopim-api.md §13): variants that store only what they
own, and what the admin shows for them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.unopim_peer import UnoPimPeer, running
from unopim_desktop.sandbox.catalogue import Catalogue, generate_catalogue
from unopim_desktop.sandbox.unopim import UnoPimState
from unopim_desktop.sandbox.unopim.variant_groups import make_two_level


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return generate_catalogue(12, seed=7, configurable_share=0.25, variants_per_product=2)


@pytest.fixture
def v3(cat: Catalogue) -> Iterator[UnoPimPeer]:
    with running(UnoPimState(catalogue=cat)) as peer:
        yield peer


@pytest.fixture
def v1(cat: Catalogue) -> Iterator[UnoPimPeer]:
    with running(UnoPimState(version=1, catalogue=cat)) as peer:
        yield peer


def _variant_of(cat: Catalogue) -> tuple[dict[str, Any], dict[str, Any]]:
    conf = cat.configurable_products[0]
    sku = conf["variants"][0]["sku"]
    return conf, next(p for p in cat.products if p["sku"] == sku)


def test_a_3x_variant_stores_its_axes_and_sku_only(v3: UnoPimPeer, cat: Catalogue) -> None:
    conf, variant = _variant_of(cat)
    got = v3.get(f"/products/{variant['sku']}").json()
    axes = {a: variant["values"]["common"][a] for a in conf["super_attributes"]}
    assert got["parent"] == conf["sku"]
    assert got["values"] == {"common": {**axes, "sku": variant["sku"]}}  # the raw stored values
    listed = {p["sku"]: p for p in v3.get("/products", params={"limit": 100}).json()["data"]}
    assert listed[variant["sku"]]["values"] == got["values"]


def test_what_the_admin_shows_is_resolved_from_the_parent(v3: UnoPimPeer, cat: Catalogue) -> None:
    conf, variant = _variant_of(cat)
    shown = v3.state.displayed_values(variant["sku"])
    parent = conf["values"]
    assert shown["channel_locale_specific"] == parent["channel_locale_specific"]
    assert shown["categories"] == parent["categories"]
    assert shown["common"] == {**parent["common"], **{a: variant["values"]["common"][a]
                                                      for a in conf["super_attributes"]}, "sku": variant["sku"]}
    # An override on the variant wins over the parent, key by key within its channel and locale.
    r = v3.patch(f"/products/{variant['sku']}", json={"values": {"channel_locale_specific": {
        "default": {"en_US": {"price": {"USD": "99.00"}}}}}})
    assert r.status_code == 200, r.text
    shown = v3.state.displayed_values(variant["sku"])
    assert shown["channel_locale_specific"]["default"]["en_US"]["price"] == {"USD": "99.00"}
    assert shown["channel_locale_specific"]["default"]["en_US"]["name"] == \
        parent["channel_locale_specific"]["default"]["en_US"]["name"]


def test_1x_variants_keep_full_copies(v1: UnoPimPeer, cat: Catalogue) -> None:
    _conf, variant = _variant_of(cat)
    got = v1.get(f"/products/{variant['sku']}").json()
    assert got["values"] == variant["values"]
    assert v1.state.displayed_values(variant["sku"]) == variant["values"]


def test_a_two_level_structure_hides_its_groups_from_every_route(v3: UnoPimPeer, cat: Catalogue) -> None:
    conf = cat.configurable_products[0]
    first, second = conf["super_attributes"][:2]
    groups = make_two_level(v3.state, conf["sku"])
    listed = v3.get(f"/configurable-products/{conf['sku']}").json()
    # The configurable's variants[] are its direct children: the groups, with the first axis only.
    assert sorted(v["sku"] for v in listed["variants"]) == sorted(groups)
    assert all(set(v["attributes"]) == {first} for v in listed["variants"])
    for group in groups:
        assert v3.get(f"/products/{group}").status_code == 404
        assert v3.get(f"/configurable-products/{group}").status_code == 404
    products = {p["sku"]: p for p in v3.get("/products", params={"limit": 100}).json()["data"]}
    assert not set(groups) & set(products)
    leaf = products[conf["variants"][0]["sku"]]
    assert leaf["parent"] in groups and set(leaf["values"]["common"]) == {second, "sku"}
    shown = v3.state.displayed_values(leaf["sku"])  # leaf → group → configurable
    assert shown["common"][first] == conf["variants"][0]["attributes"][first]
    assert v3.delete(f"/products/{conf['sku']}").status_code == 200
    assert v3.state.find_product(groups[0]) is None and v3.state.find_product(leaf["sku"]) is None


def test_date_filters_compare_in_the_servers_zone_while_answers_show_utc(cat: Catalogue) -> None:
    # APP_TIMEZONE west of UTC: a stamp shown as 12:00Z is 04:00 in the column (Los Angeles, UTC-8 in January).
    state = UnoPimState(catalogue=cat, timezone="America/Los_Angeles")
    state.clock = lambda: datetime(2031, 1, 10, 12, 0, 0, tzinfo=UTC)
    with running(state) as peer:
        sku = next(p["sku"] for p in cat.products if p["parent"] is None)
        assert peer.patch(f"/products/{sku}", json={"status": False}).status_code == 200
        assert peer.get(f"/products/{sku}").json()["updated_at"] == "2031-01-10T12:00:00.000000Z"

        def after(value: str) -> list[str]:
            filters = json.dumps({"updated_at": [{"operator": ">", "value": value}]})
            return [p["sku"] for p in peer.get("/products", params={"filters": filters, "limit": 100}).json()["data"]]

        assert after("2031-01-10 11:00:00") == []  # a UTC watermark misses it: the column says 04:00
        assert after("2031-01-10 03:00:00") == [sku]
        assert after("2031-01-10T11:00:00Z") == [sku]  # an explicit offset is moved into the zone

"""UnoPim sandbox: products, configurable products, variants, values validation, PUT/PATCH semantics,
filters and cursor paging, associations, media and the public storage route."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.unopim_peer import UnoPimPeer, running
from unopim_desktop.sandbox.catalogue import Catalogue, generate_catalogue
from unopim_desktop.sandbox.unopim import UnoPimState

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return generate_catalogue(12, seed=7, configurable_share=0.25, variants_per_product=2)


@pytest.fixture(scope="module")
def server3(cat: Catalogue) -> Iterator[UnoPimPeer]:
    with running(UnoPimState(catalogue=cat)) as peer:
        yield peer


@pytest.fixture(scope="module")
def server1(cat: Catalogue) -> Iterator[UnoPimPeer]:
    with running(UnoPimState(version=1, catalogue=cat)) as peer:
        yield peer


class Clock:
    """A controllable clock for `state.clock`, so timestamps change between writes in one test."""

    def __init__(self) -> None:
        self.now = datetime(2031, 1, 1, 12, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: int = 5) -> None:
        self.now += timedelta(seconds=seconds)


def _reset(peer: UnoPimPeer, cat: Catalogue) -> UnoPimPeer:
    peer.state.clock = Clock()
    peer.state.load_catalogue(cat)
    return peer


@pytest.fixture
def v3(server3: UnoPimPeer, cat: Catalogue) -> UnoPimPeer:
    return _reset(server3, cat)


@pytest.fixture
def v1(server1: UnoPimPeer, cat: Catalogue) -> UnoPimPeer:
    return _reset(server1, cat)


def _simple(cat: Catalogue) -> dict[str, Any]:
    return next(p for p in cat.products if p["parent"] is None)


def _variant(cat: Catalogue) -> dict[str, Any]:
    return next(p for p in cat.products if p["parent"] is not None)


def _new_product(sku: str, **extra: Any) -> dict[str, Any]:
    body = {"status": True, "parent": None, "family": "default", "additional": None,
            "values": {"common": {"sku": sku}, "categories": ["clothing_men"]}}  # fmt: skip
    body.update(extra)
    return body


def _errors(resp: httpx.Response) -> dict[str, Any]:
    assert resp.status_code == 422, resp.text
    body = resp.json()
    assert body["success"] is False and body["message"] == "Validation failed."
    return body["errors"]


def _filters(obj: object, **params: Any) -> dict[str, Any]:
    return {"filters": json.dumps(obj), **params}


# -- reading --------------------------------------------------------------------------------------
def test_product_list_holds_simple_products_and_variants(v3: UnoPimPeer, cat: Catalogue) -> None:
    body = v3.get("/products?limit=100").json()
    assert body["total"] == len(cat.products)
    item = body["data"][0]
    assert list(item) == ["sku", "status", "parent", "family", "type", "additional", "created_at", "updated_at",
                          "values"]  # fmt: skip
    assert item["status"] is True and item["type"] == "simple"
    assert STAMP.match(item["created_at"])
    variants = [p for p in body["data"] if p["parent"]]
    assert {p["sku"] for p in variants} == {p["sku"] for p in cat.products if p["parent"]}
    assert all(p["type"] == "simple" for p in body["data"])


def test_single_get_adds_associations_on_v3_only(v3: UnoPimPeer, v1: UnoPimPeer, cat: Catalogue) -> None:
    sku = _simple(cat)["sku"]
    one = v3.get(f"/products/{sku}").json()
    assert one["values"] == _simple(cat)["values"]
    assert isinstance(one["associations"], (dict, list))
    assert "associations" not in v1.get(f"/products/{sku}").json()


def test_configurable_is_not_a_product_and_vice_versa(v3: UnoPimPeer, cat: Catalogue) -> None:
    conf = cat.configurable_products[0]["sku"]
    resp = v3.get(f"/products/{conf}")
    assert resp.status_code == 404
    assert resp.json() == {"success": False, "message": f"Product with sku {conf} could not be found."}
    assert v3.get(f"/configurable-products/{_simple(cat)['sku']}").status_code == 404


def test_configurable_get_shape_and_variants(v3: UnoPimPeer, cat: Catalogue) -> None:
    expected = cat.configurable_products[0]
    body = v3.get(f"/configurable-products/{expected['sku']}").json()
    assert body["type"] == "configurable"
    assert body["super_attributes"] == expected["super_attributes"]
    assert sorted(body["variants"], key=lambda v: v["sku"]) == sorted(expected["variants"], key=lambda v: v["sku"])
    listed = v3.get("/configurable-products?limit=100").json()
    assert listed["total"] == len(cat.configurable_products)
    assert {"super_attributes", "variants"} <= set(listed["data"][0])


def test_configurable_spellings_per_version(v3: UnoPimPeer, v1: UnoPimPeer) -> None:
    legacy = v3.get("/configrable-products")
    assert legacy.status_code == 200
    assert legacy.headers["deprecation"] == "true"
    assert legacy.headers["link"] == '</api/v1/rest/configurable-products>; rel="successor-version"'
    assert "deprecation" not in v3.get("/configurable-products").headers
    assert v1.get("/configrable-products").status_code == 200
    assert "deprecation" not in v1.get("/configrable-products").headers
    assert v1.get("/configurable-products").status_code == 404


# -- create -----------------------------------------------------------------------------------------
def test_create_then_read_back(v3: UnoPimPeer) -> None:
    before = v3.state.write_count()
    resp = v3.post("/products", json=_new_product("NEW-1"))
    assert resp.status_code == 201
    assert resp.json() == {"success": True, "message": "Product created successfully"}
    got = v3.get("/products/NEW-1").json()
    assert got["values"] == {"common": {"sku": "NEW-1"}, "categories": ["clothing_men"]}
    assert got["created_at"] == got["updated_at"] == "2031-01-01T12:00:00.000000Z"
    assert got["associations"] == []  # PHP encodes an empty map as []
    assert v3.state.write_count() == before + 1
    assert v3.state.get_product("NEW-1")["sku"] == "NEW-1"


def test_create_request_errors(v3: UnoPimPeer, cat: Catalogue) -> None:
    assert _errors(v3.post("/products", json={})) == {
        "family": ["The family field is required."],
        "values": ["The values field is required."],
        "values.common.sku": ["The values.common.sku field is required."],
    }
    dup = v3.post("/products", json=_new_product(_simple(cat)["sku"].lower()))  # case-insensitive column
    assert _errors(dup) == {"values.common.sku": ["The values.common.sku has already been taken."]}
    assert _errors(v3.post("/products", json=_new_product("S-2", status="yes"))) == {
        "status": ["The status field must be true or false."]
    }


def test_create_without_parent_key_is_500_and_unknown_family_404(v3: UnoPimPeer) -> None:
    writes = v3.state.write_count()
    body = _new_product("NOPARENT")
    del body["parent"]
    resp = v3.post("/products", json=body)
    assert resp.status_code == 500
    assert resp.json() == {"success": False, "message": "Internal Server Error"}
    resp = v3.post("/products", json=_new_product("NOFAM", family="nope"))
    assert resp.status_code == 404
    assert resp.json() == {"success": False, "message": 'Attribute family with code ":code" could not be found'}
    assert v3.state.write_count() == writes  # refused writes are not counted


def test_status_defaults_to_disabled_and_input_is_trimmed(v3: UnoPimPeer) -> None:
    body = _new_product("TRIM-1")
    del body["status"]
    body["values"]["common"]["url_key"] = "  padded  "
    body["values"]["common"]["brand"] = ""
    assert v3.post("/products", json=body).status_code == 201
    got = v3.get("/products/TRIM-1").json()
    assert got["status"] is False
    assert got["values"]["common"]["url_key"] == "padded"  # TrimStrings
    assert got["values"]["common"]["brand"] is None  # ConvertEmptyStringsToNull


# -- values validation ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"common": {"name": "X"}}, {"common.name": ["Unexpected Attribute name"]}),
        ({"common": {"nope": "X"}}, {"common.nope": ["Unexpected Attribute nope"]}),
        ({"extra": {}}, {"extra": ["Unexpected key extra"]}),
        ({"common": {"gift_wrap": True}},
         {"common.gift_wrap": ['The gift wrap must be a boolean string represented as "true" or "false"']}),
        ({"common": {"color": "red2"}}, {"common.color": ["The color contains invalid option(s) red2."]}),
        ({"common": {"seasons": "summer,nope"}}, {"common.seasons": ["The seasons contains invalid option(s) nope."]}),
        ({"common": {"release_date": "2024-1-5"}},
         {"common.release_date": ["The release date field must match the format Y-m-d."]}),
        ({"channel_specific": {"default": {"sale_starts_at": "2024-01-05T10:00:00"}}},
         {"channel_specific.default.sale_starts_at": ["The sale starts at field must match the format Y-m-d H:i:s."]}),
        ({"common": {"msrp": {"USD": "12,50"}}}, {"common.msrp": ["The msrp field format is invalid."]}),
        ({"common": {"weight": "heavy"}}, {"common.weight": ["The weight must be valid."]}),
        ({"common": {"quantity": "many"}}, {"common.quantity": ["The quantity field must be a number."]}),
        ({"common": {"manufacturer_code": "abc"}}, {"common.manufacturer_code": ["The manufacturer code field format is invalid."]}),
        ({"common": {"image": "product/999/image/none.png"}},
         {"common.image": ["The selected file does not exist product/999/image/none.png for the field image."]}),
        ({"channel_locale_specific": {"web": {"en_US": {"name": "X"}}}},
         {"channel_locale_specific.web": ["Unexpected Channel web"]}),
        ({"channel_locale_specific": {"mobile": {"de_DE": {"name": "X"}}}},
         {"channel_locale_specific.mobile": ["Unexpected locale(s) de_DE in channel mobile"]}),
        ({"channel_locale_specific": {"default": {"en_US": {"name": None}}}},
         {"channel_locale_specific.default.en_US.name": ["The name field is required."]}),
        ({"categories": ["clothing", "nope"]}, {"1": ["nope does not exist."]}),
        ({"categories": ["root"]}, {"0": ["admin::app.catalog.products.categories.root-not-allowed"]}),
        ({"associations": {"up_sells": ["GHOST"]}}, {"up_sells.0": ["GHOST does not exist."]}),
        ({"associations": {"bundles": []}}, {"bundles": ["Unexpected key bundles"]}),
    ],
)  # fmt: skip
def test_values_validation_messages(v3: UnoPimPeer, values: dict[str, Any], expected: dict[str, Any]) -> None:
    values = {"common": {"sku": "VAL-1", **values.get("common", {})}, **{k: v for k, v in values.items() if k != "common"}}
    assert _errors(v3.post("/products", json=_new_product("VAL-1", values=values))) == expected


def test_only_the_first_failing_section_is_reported(v3: UnoPimPeer) -> None:
    values = {"common": {"sku": "TWO-1", "color": "bad"}, "locale_specific": {"en_US": {"name": "x"}}}
    assert list(_errors(v3.post("/products", json=_new_product("TWO-1", values=values)))) == ["common.color"]


def test_v1_accepts_root_category_and_reports_unknown_filters_as_404(v1: UnoPimPeer) -> None:
    values = {"common": {"sku": "ROOTED"}, "categories": ["root"]}
    assert v1.post("/products", json=_new_product("ROOTED", values=values)).status_code == 201


def test_wysiwyg_textareas_are_purified(v3: UnoPimPeer) -> None:
    html = '<p onclick="x()">Hi</p><script>alert(1)</script>'
    values = {"common": {"sku": "HTML-1"},
              "channel_locale_specific": {"default": {"en_US": {"description": html}}}}  # fmt: skip
    assert v3.post("/products", json=_new_product("HTML-1", values=values)).status_code == 201
    stored = v3.get("/products/HTML-1").json()["values"]["channel_locale_specific"]["default"]["en_US"]
    assert stored["description"] == "<p>Hi</p>"


# -- update -----------------------------------------------------------------------------------------
def test_put_replaces_values_wholesale_and_bumps_updated_at(v3: UnoPimPeer, cat: Catalogue) -> None:
    product = _simple(cat)
    sku = product["sku"]
    before = v3.get(f"/products/{sku}").json()
    v3.state.clock.tick()
    body = {"family": "default", "parent": None, "values": {"common": {"sku": sku, "color": "red"}}}
    resp = v3.put(f"/products/{sku}", json=body)
    assert resp.status_code == 200 and resp.json() == {"success": True, "message": "Product updated successfully"}
    after = v3.get(f"/products/{sku}").json()
    assert after["values"] == {"common": {"sku": sku, "color": "red"}}
    assert after["status"] is before["status"]  # only changed when sent
    assert after["updated_at"] > before["updated_at"]
    assert after["created_at"] == before["created_at"]


def test_put_renames_through_values_common_sku(v3: UnoPimPeer, cat: Catalogue) -> None:
    sku = _simple(cat)["sku"]
    resp = v3.put(f"/products/{sku}", json={"family": "default", "values": {"common": {"sku": "RENAMED-1"}}})
    assert resp.status_code == 200
    assert v3.get(f"/products/{sku}").status_code == 404
    assert v3.get("/products/RENAMED-1").json()["sku"] == "RENAMED-1"
    other = [p["sku"] for p in cat.products if p["parent"] is None][1]
    clash = v3.put(f"/products/{other}", json={"family": "default", "values": {"common": {"sku": "RENAMED-1"}}})
    assert _errors(clash) == {"common.sku": ["The sku has already been taken."]}


def test_put_errors(v3: UnoPimPeer, cat: Catalogue) -> None:
    resp = v3.put("/products/GHOST", json={"family": "default", "values": {"common": {"sku": "GHOST"}}})
    assert resp.status_code == 404
    assert resp.json() == {"success": False, "message": 'Product with sku "GHOST" could not be found'}
    conf = cat.configurable_products[0]["sku"]
    resp = v3.put(f"/products/{conf}", json={"family": "default", "values": {"common": {"sku": conf}}})
    assert resp.status_code == 404  # /products holds simple products only
    assert _errors(v3.put(f"/products/{_simple(cat)['sku']}", json={"values": {"common": {}}})) == {
        "family": ["The family field is required."],
        "values.common.sku": ["The values.common.sku field is required."],
    }


def test_patch_deep_merges_and_lists_merge_by_index(v3: UnoPimPeer) -> None:
    values = {"common": {"sku": "P-1", "color": "red", "brand": "contoso"},
              "categories": ["clothing", "clothing_men", "clothing_women"]}  # fmt: skip
    assert v3.post("/products", json=_new_product("P-1", values=values)).status_code == 201
    v3.state.clock.tick()
    resp = v3.patch("/products/P-1", json={"status": False, "values": {"common": {"color": "blue"},
                                                                           "categories": ["home"]}})  # fmt: skip
    assert resp.status_code == 200
    got = v3.get("/products/P-1").json()
    assert got["status"] is False
    assert got["values"]["common"] == {"sku": "P-1", "color": "blue", "brand": "contoso"}
    assert got["values"]["categories"] == ["home", "clothing_men", "clothing_women"]
    assert got["updated_at"] == "2031-01-01T12:00:05.000000Z"
    assert _errors(v3.patch("/products/P-1", json={"values": {"common": {"color": "nope"}}})) == {
        "common.color": ["The color contains invalid option(s) nope."]
    }
    assert v3.patch("/products/GHOST", json={"status": True}).status_code == 404


def test_delete_product_and_configurable_cascade(v3: UnoPimPeer, cat: Catalogue) -> None:
    sku = _simple(cat)["sku"]
    resp = v3.delete(f"/products/{sku}")
    assert resp.status_code == 200
    assert resp.json() == {"success": True, "message": "Product deleted successfully", "sku": sku}
    assert v3.delete(f"/products/{sku}").json() == {"success": False,
                                                   "message": f'Product with sku "{sku}" could not be found'}  # fmt: skip
    conf = cat.configurable_products[0]
    assert v3.delete(f"/configurable-products/{conf['sku']}").status_code == 200
    for variant in conf["variants"]:
        assert v3.get(f"/products/{variant['sku']}").status_code == 404


def test_v1_has_no_configurable_delete(v1: UnoPimPeer, cat: Catalogue) -> None:
    resp = v1.delete(f"/configrable-products/{cat.configurable_products[0]['sku']}")
    assert resp.status_code == 500  # a 405 as V1 renders it


@pytest.mark.parametrize("version", [1, 3])
def test_products_delete_finds_every_product_type(version: int, v1: UnoPimPeer, v3: UnoPimPeer,
                                                 cat: Catalogue) -> None:
    # `findProductOr404` looks the SKU up among all products: a configurable goes through /products too.
    peer = v1 if version == 1 else v3
    conf = cat.configurable_products[0]
    resp = peer.delete(f"/products/{conf['sku']}")
    assert resp.status_code == 200 and resp.json()["sku"] == conf["sku"]
    for variant in conf["variants"]:
        assert peer.get(f"/products/{variant['sku']}").status_code == 404


def test_v1_routes_missing_answer_the_routers_404_not_the_controllers(v1: UnoPimPeer, cat: Catalogue) -> None:
    option = cat.attribute_options["color"][0]["code"]
    route = v1.delete(f"/attributes/color/options/{option}")
    assert route.status_code == 404
    assert route.json() == {"error": "404 Page Not Found", "description": "admin::app.shop.errors.404.description"}
    entity = v1.delete("/products/GHOST")
    assert entity.status_code == 404 and entity.json()["success"] is False


def test_sku_rule_by_version(v1: UnoPimPeer, v3: UnoPimPeer) -> None:
    # 1.x: Core/Rules/Slug (letters, digits, single hyphens); 2.0+: Core/Rules/Sku (underscores too).
    assert _errors(v1.post("/products", json=_new_product("UNDER_SCORE"))) == {
        "common.sku": ["The sku must be valid slug."]}
    assert v1.post("/products", json=_new_product("HY-PHEN")).status_code == 201
    assert v3.post("/products", json=_new_product("UNDER_SCORE")).status_code == 201


# -- variants and configurables ---------------------------------------------------------------------
def test_create_variant_through_products(v3: UnoPimPeer, cat: Catalogue) -> None:
    conf = cat.configurable_products[0]
    supers = conf["super_attributes"]
    used = {tuple(v["attributes"][a] for a in supers) for v in conf["variants"]}
    options = {a: [o["code"] for o in cat.attribute_options[a]] for a in supers}
    combo = next((c, s) for c in options[supers[0]] for s in options[supers[1]] if (c, s) not in used)
    axes = dict(zip(supers, combo, strict=True))
    body = _new_product("VAR-NEW", parent=conf["sku"], family="clothing", variant={"attributes": axes})
    resp = v3.post("/products", json=body)
    assert resp.status_code == 201, resp.text
    got = v3.get("/products/VAR-NEW").json()
    assert got["parent"] == conf["sku"]
    assert all(got["values"]["common"][a] == axes[a] for a in supers)
    parent = v3.get(f"/configurable-products/{conf['sku']}").json()
    assert {"sku": "VAR-NEW", "attributes": axes} in parent["variants"]
    # The same combination again is refused.
    again = v3.post("/products", json=_new_product("VAR-NEW-2", parent=conf["sku"], variant={"attributes": axes}))
    assert again.status_code == 422
    assert again.json()["message"] == f'This variant with value "{json.dumps(axes, separators=(",", ":"))}" already exists'


def test_variant_errors(v3: UnoPimPeer, v1: UnoPimPeer, cat: Catalogue) -> None:
    conf = cat.configurable_products[0]
    first = conf["super_attributes"][0]
    resp = v3.post("/products", json=_new_product("V-X", parent="GHOST", variant={"attributes": {}}))
    assert resp.status_code == 404 and resp.json()["message"] == 'Parent with sku "GHOST" could not be found'
    resp = v3.post("/products", json=_new_product("V-Y", parent=conf["sku"], variant={"attributes": {}}))
    assert resp.status_code == 404
    assert resp.json()["message"] == f'Supper attribute  with value "{first}" not found'
    bad = {a: "zz" for a in conf["super_attributes"]}
    resp = v3.post("/products", json=_new_product("V-Z", parent=conf["sku"], variant={"attributes": bad}))
    assert resp.status_code == 404
    assert resp.json()["message"] == f'Variant attribute or option with value "{json.dumps(bad, separators=(",", ":"))}" not found'
    existing = conf["variants"][0]["attributes"]
    dup = v1.post("/products", json=_new_product("V-D", parent=conf["sku"], variant={"attributes": existing}))
    assert dup.status_code == 404  # V1 renders UnprocessableEntityHttpException as 404


def test_create_configurable_with_variants_on_v3_only(v3: UnoPimPeer, v1: UnoPimPeer) -> None:
    body = {"status": True, "parent": None, "family": "clothing", "super_attributes": ["color", "size"],
            "values": {"common": {"sku": "TEE"}},
            "variants": [{"sku": "TEE-RED-S", "attributes": {"color": "red", "size": "s"}}]}  # fmt: skip
    for peer, expected in ((v3, [{"sku": "TEE-RED-S", "attributes": {"color": "red", "size": "s"}}]), (v1, [])):
        path = "/configurable-products" if peer is v3 else "/configrable-products"
        resp = peer.post(path, json=body)
        assert resp.status_code == 201, resp.text
        got = peer.get(f"{path}/TEE").json()
        assert got["super_attributes"] == ["color", "size"]
        assert got["variants"] == expected
    # No request rule checks the SKU on this route, but the `sku` attribute's unique rule does.
    assert _errors(v3.post("/configurable-products", json=body)) == {"common.sku": ["The sku has already been taken."]}


def test_configurable_request_errors(v3: UnoPimPeer) -> None:
    base = {"parent": None, "family": "clothing", "values": {"common": {"sku": "C-1"}}}
    assert _errors(v3.post("/configurable-products", json=base)) == {
        "super_attributes": ["The super attributes field is required."]
    }
    resp = v3.post("/configurable-products", json={**base, "super_attributes": ["brand_new"]})
    assert resp.status_code == 404
    assert resp.json()["message"] == 'This Super Attributes with value "["brand_new"]" could not be found'
    bad_variant = {**base, "super_attributes": ["color", "size"], "variants": [{"attributes": {"color": "red"}}]}
    assert "variants.0.sku" in _errors(v3.post("/configurable-products", json=bad_variant))


def test_configurable_put_keeps_variants_and_patch_merges(v3: UnoPimPeer, cat: Catalogue) -> None:
    conf = cat.configurable_products[0]
    body = {"family": conf["family"], "values": {"common": {"sku": conf["sku"], "brand": "contoso"}},
            "variants": []}  # fmt: skip
    assert v3.put(f"/configurable-products/{conf['sku']}", json=body).status_code == 200
    got = v3.get(f"/configurable-products/{conf['sku']}").json()
    assert got["values"] == {"common": {"sku": conf["sku"], "brand": "contoso"}}
    assert len(got["variants"]) == len(conf["variants"])
    assert v3.patch(f"/configurable-products/{conf['sku']}", json={"values": {"common": {"brand": "fabrikam"}}}).status_code == 200
    assert v3.get(f"/configurable-products/{conf['sku']}").json()["values"]["common"]["brand"] == "fabrikam"


# -- filters and cursor paging ----------------------------------------------------------------------
def test_product_filters(v3: UnoPimPeer, cat: Catalogue) -> None:
    skus = [p["sku"] for p in cat.products[:3]]
    body = v3.get("/products", params=_filters({"sku": [{"operator": "IN", "value": skus}]})).json()
    assert [p["sku"] for p in body["data"]] == skus  # intended IN semantics, not first-element-only
    conf = cat.configurable_products[0]
    body = v3.get("/products", params=_filters({"parent": [{"operator": "=", "value": conf["sku"]}]})).json()
    assert {p["sku"] for p in body["data"]} == {v["sku"] for v in conf["variants"]}
    fam = v3.get("/products", params=_filters({"family": [{"operator": "IN", "value": ["clothing"]}]}, limit=100))
    assert all(p["family"] == "clothing" for p in fam.json()["data"])
    target = next(p for p in cat.products if len(p["values"].get("categories") or []) >= 2)
    wanted = target["values"]["categories"][:2]
    hits = v3.get("/products", params=_filters({"categories": [{"operator": "IN", "value": wanted}]}, limit=100))
    assert target["sku"] in {p["sku"] for p in hits.json()["data"]}
    assert all(set(wanted) <= set(p["values"].get("categories") or []) for p in hits.json()["data"])
    off = v3.get("/products", params=_filters({"status": [{"operator": "=", "value": False}]})).json()
    assert off["total"] == sum(1 for p in cat.products if not p["status"])


def test_product_filter_errors_per_version(v3: UnoPimPeer, v1: UnoPimPeer) -> None:
    bad = _filters({"name": [{"operator": "=", "value": "x"}]})
    message = {"success": False, "message": 'Filter on property "name" is not supported or does not support operator "=".'}
    assert (v3.get("/products", params=bad).status_code, v3.get("/products", params=bad).json()) == (422, message)
    assert (v1.get("/products", params=bad).status_code, v1.get("/products", params=bad).json()) == (404, message)
    not_json = {"filters": "{oops"}
    resp = v3.get("/products", params=not_json)
    assert resp.status_code == 400
    assert resp.json() == {"success": False, "message": "filter query parameter should be valid JSON."}
    assert v1.get("/products", params=not_json).status_code == 500
    resp = v3.get("/products", params=_filters({"parent": [{"operator": "=", "value": "NOPE"}]}))
    assert resp.status_code == 422
    assert resp.json()["message"] == 'Parent filter value "NOPE" is not a valid configurable product SKU.'
    delta = _filters({"updated_at": [{"operator": ">", "value": "2030-01-01 00:00:00"}]})
    assert v1.get("/products", params=delta).status_code == 404  # no date filters before V3
    resp = v3.get("/products", params=_filters({"updated_at": [{"operator": ">", "value": "yesterday-ish"}]}))
    assert resp.status_code == 422
    assert resp.json()["message"] == 'Filter "updated_at" expects a valid date value, e.g. "2026-01-31 00:00:00".'


def test_delta_filter_on_updated_at(v3: UnoPimPeer, cat: Catalogue) -> None:
    sku = _simple(cat)["sku"]
    v3.state.clock.tick(3600 * 2)
    assert v3.patch(f"/products/{sku}", json={"status": False}).status_code == 200
    since = (v3.state.clock.now - timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S")
    body = v3.get("/products", params=_filters({"updated_at": [{"operator": ">", "value": since}]})).json()
    assert [p["sku"] for p in body["data"]] == [sku]
    window = [since, v3.state.clock.now.strftime("%Y-%m-%d %H:%M:%S")]
    body = v3.get("/products", params=_filters({"updated_at": [{"operator": "BETWEEN", "value": window}]})).json()
    assert body["total"] == 1
    older = v3.get("/products", params=_filters({"updated_at": [{"operator": "<=", "value": since}]})).json()
    assert older["total"] == len(cat.products) - 1


def test_cursor_paging_walks_every_product_once(v3: UnoPimPeer, cat: Catalogue) -> None:
    seen: list[str] = []
    url = "/products?limit=5&pagination_type=search_after"
    while True:
        body = v3.get(url).json()
        assert set(body) == {"data", "search_after", "links"}
        seen += [p["sku"] for p in body["data"]]
        if body["search_after"] is None:
            assert body["links"]["next"] is None
            break
        next_url = body["links"]["next"]
        assert next_url.endswith(f"limit=5&pagination_type=search_after&search_after={body['search_after']}")
        url = next_url.split("/api/v1/rest", 1)[1]
    assert seen == [p["sku"] for p in cat.products]


def test_cursor_errors_and_v1_ignores_cursor(v3: UnoPimPeer, v1: UnoPimPeer) -> None:
    resp = v3.get("/products?pagination_type=offset")
    assert resp.status_code == 422
    assert resp.json()["message"] == 'Pagination type "offset" is not supported. Use "page" or "search_after".'
    resp = v3.get("/products?search_after=-4")
    assert resp.status_code == 422
    assert resp.json()["message"] == "The search_after cursor must be a positive integer."
    assert "current_page" in v1.get("/products?pagination_type=search_after").json()


# -- associations -----------------------------------------------------------------------------------
def test_rich_associations_on_v3(v3: UnoPimPeer, cat: Catalogue) -> None:
    v3.state.association_types.append("bundle_kit")
    linked = next(p for p in cat.products if p["parent"] is None and p["values"].get("associations"))
    sku, other = linked["sku"], next(p["sku"] for p in cat.products if p["sku"] != linked["sku"])
    body = {"family": "default", "values": {"common": {"sku": sku}},
            "associations": {"bundle_kit": [{"sku": other, "additional_data": {"common": {"quantity": "2"}}}]}}  # fmt: skip
    assert v3.put(f"/products/{sku}", json=body).status_code == 200
    got = v3.get(f"/products/{sku}").json()
    assert got["associations"]["bundle_kit"] == [{"related_sku": other, "additional_data": {"common": {"quantity": "2"}}}]
    # Rows written from values.associations survive a PUT that leaves them out, as in UnoPim.
    legacy_types = set(linked["values"]["associations"])
    assert legacy_types <= set(got["associations"])
    assert "associations" not in got["values"]
    bad = {**body, "associations": {"bundle_kit": [{"sku": "GHOST"}]}}
    assert _errors(v3.put(f"/products/{sku}", json=bad)) == {"associations.bundle_kit.0.sku": ["GHOST does not exist."]}


def test_legacy_associations_show_in_v3_get(v3: UnoPimPeer, cat: Catalogue) -> None:
    sku, other = "ASSOC-1", _simple(cat)["sku"]
    values = {"common": {"sku": sku}, "associations": {"cross_sells": [other]}}
    assert v3.post("/products", json=_new_product(sku, values=values)).status_code == 201
    got = v3.get(f"/products/{sku}").json()
    assert got["values"]["associations"] == {"cross_sells": [other]}
    assert got["associations"] == {"cross_sells": [{"related_sku": other, "additional_data": None}]}


# -- media ------------------------------------------------------------------------------------------
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def test_catalogue_images_are_served_from_storage(v3: UnoPimPeer, cat: Catalogue) -> None:
    path = _simple(cat)["values"]["common"]["image"]
    resp = httpx.get(f"{v3.url}/storage/{path}")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "image/png"
    assert resp.content == cat.image_bytes(path)
    assert httpx.get(f"{v3.url}/storage/product/0/none.png").status_code == 404


def test_upload_writes_the_path_on_v3_and_storage_serves_it(v3: UnoPimPeer, cat: Catalogue) -> None:
    sku = _simple(cat)["sku"]
    pid = v3.state.find_product(sku)["id"]
    resp = v3.post("/media-files/product", data={"sku": sku, "attribute": "image"},
                   files={"file": ("new shot.png", PNG, "image/png")})  # fmt: skip
    assert resp.status_code == 200, resp.text
    expected_path = f"product/{pid}/image/new_shot.png"
    assert resp.json() == {"success": True, "message": "Product file uploaded successfully.",
                           "data": {"attribute": "image", "sku": sku, "filePath": expected_path}}  # fmt: skip
    assert v3.get(f"/products/{sku}").json()["values"]["common"]["image"] == expected_path
    assert httpx.get(f"{v3.url}/storage/{expected_path}").content == PNG
    assert v3.get("/media-files/product", params={"sku": sku, "attribute": "image"}).json() == {"data": [expected_path]}
    assert v3.delete("/media-files/product", params={"sku": sku, "attribute": "image"}).status_code == 200
    assert "image" not in v3.get(f"/products/{sku}").json()["values"]["common"]
    assert v3.get("/media-files/product", params={"sku": sku, "attribute": "image"}).status_code == 404


def test_v1_upload_only_returns_the_path(v1: UnoPimPeer, cat: Catalogue) -> None:
    sku = _simple(cat)["sku"]
    before = v1.get(f"/products/{sku}").json()["values"]
    resp = v1.post("/media-files/product", data={"sku": sku, "attribute": "image"},
                   files={"file": ("a.png", PNG, "image/png")})  # fmt: skip
    assert resp.status_code == 200
    path = resp.json()["data"]["filePath"]
    assert v1.get(f"/products/{sku}").json()["values"] == before
    # The client PUTs the path itself, and it validates because the file now exists.
    patched = v1.patch(f"/products/{sku}", json={"values": {"common": {"image": path}}})
    assert patched.status_code == 200
    # V1 has no GET on media (POST only): the 405 surfaces as V1's 500.
    assert v1.get("/media-files/product", params={"sku": sku, "attribute": "image"}).status_code == 500


def test_upload_errors(v3: UnoPimPeer, cat: Catalogue) -> None:
    png = {"file": ("a.png", PNG, "image/png")}
    resp = v3.post("/media-files/product", data={"sku": "GHOST", "attribute": "image"}, files=png)
    assert resp.status_code == 404 and resp.json()["message"] == 'Product with sku "GHOST" could not be found'
    sku = _simple(cat)["sku"]
    resp = v3.post("/media-files/product", data={"sku": sku, "attribute": "color"}, files=png)
    assert _errors(resp) == {"attribute": ['Attribute with code "color" could not be found']}
    resp = v3.post("/media-files/product", data={"sku": sku, "attribute": "image"},
                   files={"file": ("a.exe", b"MZ", "application/octet-stream")})  # fmt: skip
    assert list(_errors(resp)) == ["file"]
    resp = v3.post("/media-files/product", data={"sku": sku}, files=png)
    assert resp.status_code == 422
    assert resp.json()["errors"] == {"attribute": ["The attribute field is required."]}


def test_v3_rejects_a_media_path_of_another_product(v3: UnoPimPeer, cat: Catalogue) -> None:
    first, second = [p for p in cat.products if p["parent"] is None][:2]
    foreign = first["values"]["common"]["image"]
    resp = v3.patch(f"/products/{second['sku']}", json={"values": {"common": {"image": foreign}}})
    assert list(_errors(resp)) == ["common.image"]


def test_category_media_upload(v3: UnoPimPeer) -> None:
    with v3.state.lock:
        v3.state.category_fields["banner"] = {"code": "banner", "type": "image", "value_per_locale": 0}
    resp = v3.post("/media-files/category", data={"code": "clothing", "category_field": "banner"},
                   files={"file": ("b.png", PNG, "image/png")})  # fmt: skip
    assert resp.status_code == 200
    data = resp.json()["data"]
    assert data["field"] == "banner" and data["code"] == "clothing"
    assert data["filePath"].startswith(f"category/{v3.state.categories['clothing']['id']}/banner/")
    assert v3.get("/categories/clothing").json()["additional_data"].get("common", {}).get("banner") is None
    resp = v3.post("/media-files/category", data={"code": "ghost", "category_field": "banner"},
                   files={"file": ("b.png", PNG, "image/png")})  # fmt: skip
    assert resp.status_code == 404


# -- state helpers ----------------------------------------------------------------------------------
def test_counts_and_sandbox_state(v3: UnoPimPeer, cat: Catalogue) -> None:
    counts = v3.state.counts()
    assert counts["products"] == len(cat.products)
    assert counts["configurable_products"] == len(cat.configurable_products)
    assert counts["categories"] == len(cat.categories)
    assert counts["media_files"] == len(cat.image_paths())
    state = httpx.get(f"{v3.url}/__sandbox/state").json()
    assert state["counts"] == counts
    assert state["server"] == "unopim"


def test_with_completeness_adds_scores(v3: UnoPimPeer, v1: UnoPimPeer, cat: Catalogue) -> None:
    assert v3.post("/products", json=_new_product("BARE-1")).status_code == 201
    bare = v3.get("/products/BARE-1?with_completeness=true").json()
    channels = {(c["code"], loc) for c in cat.channels for loc in c["locales"]}
    assert {(s["channel"], s["locale"]) for s in bare["completeness"]} == channels
    assert all(0 <= s["score"] < 100 for s in bare["completeness"])
    full = v1.get("/products?limit=1&with_completeness=1").json()["data"][0]
    assert all(s["score"] == 100 for s in full["completeness"])  # generated products fill every required value
    assert "completeness" not in v3.get("/products/BARE-1").json()


def test_sku_in_first_element_bug_can_be_emulated(v3: UnoPimPeer, cat: Catalogue) -> None:
    skus = [p["sku"] for p in cat.products[:3]]
    v3.state.emulate_sku_in_bug = True
    try:
        body = v3.get("/products", params=_filters({"sku": [{"operator": "IN", "value": skus}]})).json()
        assert [p["sku"] for p in body["data"]] == skus[:1]
    finally:
        v3.state.emulate_sku_in_bug = False

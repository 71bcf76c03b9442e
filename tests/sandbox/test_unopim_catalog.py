"""UnoPim sandbox: attribute groups, attributes, attribute options, families, categories, category fields."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.unopim_peer import UnoPimPeer, running


@pytest.fixture(scope="module")
def server3() -> Iterator[UnoPimPeer]:
    with running() as peer:
        yield peer


@pytest.fixture(scope="module")
def server1() -> Iterator[UnoPimPeer]:
    with running(version=1) as peer:
        yield peer


@pytest.fixture
def v3(server3: UnoPimPeer) -> UnoPimPeer:
    server3.state.reset_fresh_install()
    return server3


@pytest.fixture
def v1(server1: UnoPimPeer) -> UnoPimPeer:
    server1.state.reset_fresh_install()
    return server1


def _filters(obj: object) -> dict[str, str]:
    return {"filters": json.dumps(obj)}


def _ok(resp: httpx.Response, status: int, message: str) -> None:
    assert resp.status_code == status, resp.text
    assert resp.json() == {"success": True, "message": message}


def _errors(resp: httpx.Response) -> Any:
    assert resp.status_code == 422, resp.text
    assert resp.json()["success"] is False
    return resp.json()["errors"]


# -- attribute groups -------------------------------------------------------------------------------
def test_attribute_group_crud(v3: UnoPimPeer) -> None:
    assert v3.get("/attribute-groups").json()["total"] == 5
    _ok(v3.post("/attribute-groups", json={"code": "marketing", "labels": {"en_US": "Marketing"}}), 201,
        "Attribute Group Created Successfully")  # fmt: skip
    assert v3.get("/attribute-groups/marketing").json() == {"code": "marketing", "labels": {"en_US": "Marketing"}}
    _ok(v3.put("/attribute-groups/marketing", json={"labels": {"en_US": "Promo"}}), 200,
        "Attribute Group Updated Successfully")  # fmt: skip
    assert v3.get("/attribute-groups/marketing").json()["labels"] == {"en_US": "Promo"}
    _ok(v3.patch("/attribute-groups/marketing", json={"labels": {"en_US": "Promo 2"}}), 200,
        "Attribute Group Updated Successfully")  # fmt: skip
    _ok(v3.delete("/attribute-groups/marketing"), 200, "Attribute Group Deleted Successfully")
    resp = v3.get("/attribute-groups/marketing")
    assert resp.status_code == 404
    assert resp.json() == {"success": False, "message": "attribute group with code marketing could not be found."}


def test_attribute_group_errors(v3: UnoPimPeer, v1: UnoPimPeer) -> None:
    assert _errors(v3.post("/attribute-groups", json={"code": "general"})) == {"code": ["The code has already been taken."]}
    assert _errors(v3.post("/attribute-groups", json={"code": "bad code"})) == {
        "code": ["The code must be valid and can only contain alphanumeric characters (letters and numbers)."]
    }
    resp = v3.delete("/attribute-groups/general")
    assert resp.status_code == 422
    assert resp.json() == {"success": False, "message": "group is used in families.",
                           "errors": {"code": ["group is used in families."]}}  # fmt: skip
    assert v1.delete("/attribute-groups/general").status_code == 500  # no DELETE on V1: 405 shown as 500


def test_labels_must_use_active_locales(v3: UnoPimPeer) -> None:
    resp = v3.post("/attribute-groups", json={"code": "x1", "labels": {"en_US": "X", "de_DE": "X"}})
    assert _errors(resp) == {"locale": ['Invalid locales {"1":"de_DE"}']}
    resp = v3.post("/attribute-groups", json={"code": "x2", "labels": {"de_DE": "X"}})
    assert _errors(resp) == {"locale": ['Invalid locales ["de_DE"]']}


# -- attributes -------------------------------------------------------------------------------------
def test_attribute_items_per_version(v3: UnoPimPeer, v1: UnoPimPeer) -> None:
    color = v3.get("/attributes/color").json()
    assert color == {"code": "color", "type": "select", "swatch_type": None, "validation": None,
                     "regex_pattern": None, "position": 26, "is_required": 0, "is_unique": 0,
                     "value_per_locale": 0, "value_per_channel": 0, "enable_wysiwyg": 0,
                     "labels": {"en_US": "Color"}}  # fmt: skip
    assert "swatch_type" not in v1.get("/attributes/color").json()
    resp = v3.get("/attributes/nope")
    assert resp.status_code == 404
    assert resp.json() == {"success": False, "message": 'Attribute with code "nope" could not be found'}


def test_attribute_filters_are_ored(v3: UnoPimPeer) -> None:
    body = v3.get("/attributes", params=_filters({"type": [{"operator": "=", "value": "price"}]})).json()
    assert [a["code"] for a in body["data"]] == ["price", "cost"]
    both = {"type": [{"operator": "=", "value": "price"}], "code": [{"operator": "=", "value": "sku"}]}
    body = v3.get("/attributes", params=_filters(both)).json()
    assert [a["code"] for a in body["data"]] == ["sku", "price", "cost"]
    resp = v3.get("/attributes", params=_filters({"position": [{"operator": "=", "value": 1}]}))
    assert resp.status_code == 422


def test_attribute_create_and_errors(v3: UnoPimPeer) -> None:
    _ok(v3.post("/attributes", json={"code": "fabric", "type": "text", "value_per_locale": 1,
                                     "labels": {"en_US": "Fabric"}}), 201, "Attribute Created Successfully")  # fmt: skip
    created = v3.get("/attributes/fabric").json()
    assert created["value_per_locale"] == 1 and created["type"] == "text"
    assert _errors(v3.post("/attributes", json={"code": "status", "type": "text"})) == {
        "code": ["The code does not support the following values (status)."]
    }
    assert _errors(v3.post("/attributes", json={"code": "x3", "type": "number"})) == {
        "type": ["The selected type is invalid."]
    }
    assert _errors(v3.post("/attributes", json=[{"code": "x4", "type": "text"}])) == {
        "payload": ["Each create request must send a single attribute object."]
    }


def test_attribute_update_immutable_fields(v3: UnoPimPeer, v1: UnoPimPeer) -> None:
    body = {"code": "color", "type": "select", "labels": {"en_US": "Colour"}}
    assert _errors(v3.put("/attributes/color", json=body)) == {
        "immutable": ["The following fields cannot be modified: type, code."]
    }
    _ok(v1.put("/attributes/color", json=body), 200, "Attribute Updated Successfully")  # V1 ignores them
    assert v1.get("/attributes/color").json()["labels"] == {"en_US": "Colour"}
    _ok(v3.patch("/attributes/color", json={"is_required": True}), 200, "Attribute Updated Successfully")
    assert v3.get("/attributes/color").json()["is_required"] == 1


def test_attribute_delete(v3: UnoPimPeer) -> None:
    resp = v3.delete("/attributes/sku")
    assert resp.status_code == 422 and resp.json()["message"] == "This attribute can not be deleted."
    _ok(v3.delete("/attributes/brand"), 200, "Attribute Deleted Successfully")
    assert v3.get("/attributes/brand").status_code == 404
    family = v3.get("/families/default").json()
    assert "brand" not in [a["code"] for g in family["attribute_groups"] for a in g["custom_attributes"]]


# -- attribute options ------------------------------------------------------------------------------
def test_options_are_a_bare_array_sorted_by_sort_order(v3: UnoPimPeer) -> None:
    body = v3.get("/attributes/size/options").json()
    assert isinstance(body, list)
    assert [o["code"] for o in body] == ["S", "M", "L", "XL"]
    assert body[0] == {"code": "S", "sort_order": 1, "labels": {"en_US": "S"}}
    assert v3.get("/attributes/nope/options").json() == []


def test_option_create_upsert_delete(v3: UnoPimPeer, v1: UnoPimPeer) -> None:
    _ok(v3.post("/attributes/size/options", json=[{"code": "XXL", "sort_order": 0, "labels": {"en_US": "XXL"}}]),
        201, "Attribute Option Created Successfully")  # fmt: skip
    assert v3.get("/attributes/size/options").json()[0]["code"] == "XXL"
    _ok(v3.post("/attributes/size/options", json={"code": "XS"}), 201, "Attribute Option Created Successfully")
    assert _errors(v3.post("/attributes/size/options", json=[{"code": "S"}])) == [
        {"code": ["The code has already been taken."]}
    ]
    _ok(v3.put("/attributes/size/options", json=[{"code": "S", "labels": {"en_US": "Small"}}, {"code": "3XL"}]),
        200, "Attribute Option Updated Successfully")  # fmt: skip
    options = {o["code"]: o for o in v3.get("/attributes/size/options").json()}
    assert options["S"]["labels"] == {"en_US": "Small"} and "3XL" in options
    _ok(v3.delete("/attributes/size/options/3XL"), 200, "Attribute Option Deleted Successfully")
    resp = v3.delete("/attributes/size/options/3XL")
    assert resp.status_code == 404
    assert resp.json()["message"] == 'Variant attribute or option with value "3XL" not found'
    assert v1.delete("/attributes/size/options/S").status_code == 404  # no such route on V1


def test_option_upsert_is_not_scoped_to_the_attribute(v3: UnoPimPeer) -> None:
    # UnoPim looks the code up across all attributes: `Red` exists under color, so PUT on size edits it.
    _ok(v3.put("/attributes/size/options", json=[{"code": "Red", "labels": {"en_US": "Rouge"}}]), 200,
        "Attribute Option Updated Successfully")  # fmt: skip
    assert "Red" not in [o["code"] for o in v3.get("/attributes/size/options").json()]
    color = {o["code"]: o for o in v3.get("/attributes/color/options").json()}
    assert color["Red"]["labels"] == {"en_US": "Rouge"}


# -- families ---------------------------------------------------------------------------------------
def test_family_crud(v3: UnoPimPeer) -> None:
    body = {"code": "shoes", "labels": {"en_US": "Shoes"},
            "attribute_groups": [{"code": "general", "position": 1,
                                  "custom_attributes": [{"code": "sku", "position": 1}, {"code": "size", "position": 2}]}]}  # fmt: skip
    _ok(v3.post("/families", json=body), 201, "Family created successfully.")
    assert v3.get("/families/shoes").json() == body
    listed = v3.get("/families", params=_filters({"code": [{"operator": "IN", "value": ["shoes"]}]})).json()
    assert [f["code"] for f in listed["data"]] == ["shoes"]
    _ok(v3.put("/families/shoes", json={"labels": {"en_US": "Footwear"}}), 200, "Family updated successfully.")
    assert v3.get("/families/shoes").json()["attribute_groups"] == body["attribute_groups"]
    _ok(v3.delete("/families/shoes"), 200, "Family deleted successfully.")
    resp = v3.get("/families/shoes")
    assert resp.json() == {"success": False, "message": "Attribute Family with code shoes could not be found."}


def test_family_errors(v3: UnoPimPeer) -> None:
    bad = {"code": "f2", "attribute_groups": [{"code": "general", "custom_attributes": [{"code": "ghost"}]}]}
    assert _errors(v3.post("/families", json=bad)) == [{"code": 'Attribute with code "ghost" could not be found'}]
    assert _errors(v3.post("/families", json={"code": "f3", "attribute_groups": "general"})) == {
        "attribute_groups": ["The attribute groups field must be an array."]
    }
    v3.post("/products", json={"parent": None, "family": "default", "values": {"common": {"sku": "F-1"}}})
    resp = v3.delete("/families/default")
    assert resp.status_code == 422 and resp.json()["message"] == "family is used in products."


# -- categories -------------------------------------------------------------------------------------
def _tree(v3: UnoPimPeer) -> None:
    for code, parent in (("clothing", "root"), ("men", "clothing"), ("women", "clothing"), ("shirts", "men")):
        body = {"code": code, "parent": parent,
                "additional_data": {"locale_specific": {"en_US": {"name": code.title()}}}}  # fmt: skip
        _ok(v3.post("/categories", json=body), 201, "category created successfully.")


def test_category_tree_and_filters(v3: UnoPimPeer) -> None:
    _tree(v3)
    body = v3.get("/categories").json()
    assert [c["code"] for c in body["data"]] == ["root", "clothing", "men", "women", "shirts"]
    kids = v3.get("/categories", params=_filters({"parent": [{"operator": "=", "value": "clothing"}]})).json()
    assert [c["code"] for c in kids["data"]] == ["men", "women"]
    both = {"parent": [{"operator": "=", "value": "clothing"}], "code": [{"operator": "NOT IN", "value": ["men"]}]}
    assert [c["code"] for c in v3.get("/categories", params=_filters(both)).json()["data"]] == ["women"]  # AND
    assert v3.get("/categories/men").json() == {
        "code": "men", "parent": "clothing", "additional_data": {"locale_specific": {"en_US": {"name": "Men"}}}
    }  # fmt: skip


def test_v1_category_quirks(v1: UnoPimPeer) -> None:
    _tree(v1)
    assert v1.get("/categories/men").json()["parent"] is None  # single GET bug before V2.1
    assert [c["parent"] for c in v1.get("/categories").json()["data"]][:3] == [None, "root", "clothing"]
    resp = v1.get("/categories", params=_filters({"code": [{"operator": "NOT IN", "value": ["men"]}]}))
    assert resp.status_code == 500  # `hereNotIn`


def test_category_put_patch_delete(v3: UnoPimPeer) -> None:
    _tree(v3)
    _ok(v3.patch("/categories/shirts", json={"additional_data": {"locale_specific": {"en_US": {"description": "d"}}}}),
        200, "Category updated successfully.")  # fmt: skip
    shirts = v3.get("/categories/shirts").json()
    assert shirts["parent"] == "men"  # PATCH keeps the parent
    assert shirts["additional_data"]["locale_specific"] == {"en_US": {"description": "d"}}  # one level deep
    _ok(v3.put("/categories/shirts", json={"additional_data": {}}), 200, "Category updated successfully.")
    assert v3.get("/categories/shirts").json()["parent"] is None  # PUT without parent makes a root
    _ok(v3.put("/categories/shirts", json={"parent": "women"}), 200, "Category updated successfully.")
    assert v3.get("/categories/shirts").json()["parent"] == "women"
    resp = v3.delete("/categories/clothing")
    assert resp.json() == {"success": True, "message": "The category has been successfully deleted.", "code": "clothing"}
    assert [c["code"] for c in v3.get("/categories").json()["data"]] == ["root"]  # the subtree went too
    resp = v3.delete("/categories/root")
    assert resp.status_code == 400
    assert resp.json() == {"success": False, "code": "root",
                           "message": "You cannot delete the root category that is associated with a channel."}  # fmt: skip
    resp = v3.put("/categories/ghost", json={"parent": "root"})
    assert resp.status_code == 404
    assert resp.json() == {"success": False, "message": 'Category with code "ghost" could not be found'}


def test_category_errors(v3: UnoPimPeer) -> None:
    assert _errors(v3.post("/categories", json={"code": "root"})) == {"code": ["The code has already been taken."]}
    assert _errors(v3.post("/categories", json={"parent": "root"})) == {"code": ["The code field is required."]}
    _ok(v3.post("/categories", json={"code": "orphan", "parent": "ghost"}), 201, "category created successfully.")
    assert v3.get("/categories/orphan").json()["parent"] is None  # unknown parent becomes a root
    resp = v3.get("/categories/ghost")
    assert resp.status_code == 404
    assert resp.json() == {"success": False, "message": "Category with code ghost could not be found."}


def test_category_fields_are_listed(v3: UnoPimPeer) -> None:
    body = v3.get("/category-fields").json()
    assert [f["code"] for f in body["data"]] == ["name", "description"]
    assert set(body["data"][0]) >= {"code", "type", "status", "value_per_locale", "section", "labels"}
    assert v3.get("/category-fields/name").json()["value_per_locale"] == 1
    assert v3.get("/category-fields/ghost").status_code == 404

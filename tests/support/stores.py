"""One face for both sandbox stores, so a test of shared behaviour runs against WooCommerce and BigCommerce
alike: what a merchant sees of a product, and the edits a merchant makes in the store's admin (through the
store's own API)."""

from __future__ import annotations

from typing import Any

from tests.support.app import bc_api, woo_api
from unopim_desktop.domain import AttributeRow
from unopim_desktop.sandbox.launcher import Sandbox

KINDS = ["woocommerce", "bigcommerce"]

# Attribute rows, one per attribute type the catalogue has beyond the core fields. WooCommerce carries select,
# multiselect and boolean values as product attributes; BigCommerce has none besides variant options, so there
# every row is a custom field.
_ROWS = [
    ("Brand", "brand", "attribute"),  # select, common
    ("Material", "material", "attribute"),  # select, common
    ("Seasons", "seasons", "attribute"),  # multiselect, common
    ("Certifications", "certifications", "meta"),  # checkbox, common
    ("Gift wrap", "gift_wrap", "attribute"),  # boolean, common
    ("Featured", "featured", "meta"),  # boolean, per channel
    ("Subtitle", "subtitle", "meta"),  # text, per locale
    ("Release date", "release_date", "meta"),  # date, common
]


def attribute_rows(kind: str) -> list[AttributeRow]:
    return [AttributeRow(name, code, carrier if kind == "woocommerce" else "meta", False)
            for name, code, carrier in _ROWS]


class Shop:
    """The sandbox store of one kind, as a merchant sees and edits it."""

    def __init__(self, sandbox: Sandbox, kind: str) -> None:
        self.sb = sandbox
        self.kind = kind

    @property
    def state(self) -> Any:
        return self.sb.woocommerce if self.kind == "woocommerce" else self.sb.bigcommerce

    def write_count(self) -> int:
        return self.state.write_count()

    def product(self, sku: str) -> dict[str, Any] | None:
        """{id, name, price (float), visible, variations: {SKU: {id, price}}} or None."""
        if self.kind == "woocommerce":
            p = self.state.product_by_sku(sku)
            if p is None:
                return None
            variations = {v["sku"]: {"id": v["id"], "price": float(v["regular_price"] or 0)}
                          for v in self.state.variations(p["id"])}
            return {"id": p["id"], "name": p["name"], "price": float(p["regular_price"] or 0),
                    "visible": p["status"] == "publish", "variations": variations}
        p = self.state.product_by_sku(sku)
        if p is None:
            return None
        variations = {v["sku"]: {"id": v["id"], "price": float(v["price"] if v["price"] is not None else p["price"])}
                      for v in p["variants"] if v.get("option_values")}
        return {"id": p["id"], "name": p["name"], "price": float(p["price"] or 0), "visible": p["is_visible"],
                "variations": variations}

    def skus(self) -> list[str]:
        return [p["sku"] for p in self.state.products()]

    def edit(self, sku: str, *, name: str | None = None, price: str | None = None) -> None:
        pid = self.product(sku)["id"]  # type: ignore[index]
        if self.kind == "woocommerce":
            body = {k: v for k, v in (("name", name), ("regular_price", price)) if v is not None}
            r = woo_api(self.sb, "PUT", f"/products/{pid}", json=body)
        else:
            body = {k: v for k, v in (("name", name), ("price", float(price) if price else None)) if v is not None}
            r = bc_api(self.sb, "PUT", f"/v3/catalog/products/{pid}", json=body)
        assert r.status_code == 200, r.text

    def edit_variation_price(self, parent_sku: str, sku: str, price: str) -> None:
        parent = self.product(parent_sku)
        assert parent is not None
        vid = parent["variations"][sku]["id"]
        if self.kind == "woocommerce":
            r = woo_api(self.sb, "PUT", f"/products/{parent['id']}/variations/{vid}", json={"regular_price": price})
        else:
            r = bc_api(self.sb, "PUT", f"/v3/catalog/products/{parent['id']}/variants/{vid}", json={"price": float(price)})
        assert r.status_code == 200, r.text

    def delete(self, sku: str) -> None:
        """Deleted for good, as from the store's admin."""
        pid = self.product(sku)["id"]  # type: ignore[index]
        if self.kind == "woocommerce":
            r = woo_api(self.sb, "DELETE", f"/products/{pid}", params={"force": "true"})
            assert r.status_code == 200, r.text
        else:
            r = bc_api(self.sb, "DELETE", f"/v3/catalog/products/{pid}")
            assert r.status_code == 204, r.text

    def touch_all(self) -> None:
        """Save every product and variation without changing anything (their modification dates move)."""
        if self.kind == "woocommerce":
            for p in self.state.products():
                self.state.touch_product(p["id"])
                for v in self.state.variations(p["id"]):
                    self.state.touch_product(v["id"])
            return
        with self.state.lock:
            for pid in list(self.state.products_by_id):
                self.state.touch(pid)

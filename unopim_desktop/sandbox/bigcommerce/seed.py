"""Fill the sandbox store from a generated Catalogue ("store full, UnoPim empty" scenarios).

A deliberately small conversion written for the sandbox alone (it shares nothing with the app's
mapping code): categories as a tree under tree 1, brands from the `brand` select options,
products with name/SKU/price/weight/description/categories/brand, one image each served by the
sandbox itself, configurable products as products with `color`/`size` options and one variant
per variant SKU, and a few text attributes as custom fields. It goes through the same store
operations as the API, so the result is exactly what a client would have created.
"""

from __future__ import annotations

import posixpath
from typing import Any

from unopim_desktop.sandbox.bigcommerce.brands import create_brand
from unopim_desktop.sandbox.bigcommerce.categories import create_category
from unopim_desktop.sandbox.bigcommerce.products import create_product
from unopim_desktop.sandbox.bigcommerce.state import BigCommerceState, FetchedImage

LOCALE = "en_US"
CHANNEL = "default"
AXES = ("color", "size")
MAX_CUSTOM_FIELDS = 3
# Text attributes that become product fields, or are identifiers rather than shop-floor facts.
_NOT_CUSTOM_FIELDS = {
    "sku",
    "url_key",
    "product_number",
    "name",
    "weight",
    "length",
    "width",
    "height",
    "tags",
}


def _label(labels: dict[str, str] | None, fallback: str) -> str:
    labels = labels or {}
    return labels.get(LOCALE) or next(iter(labels.values()), None) or fallback


def _value(values: dict[str, Any], code: str) -> Any:
    """An attribute's value for channel `default` / locale `en_US`, whatever its bucket."""
    for lookup in (
        lambda: values.get("common", {})[code],
        lambda: values.get("channel_locale_specific", {})[CHANNEL][LOCALE][code],
        lambda: values.get("locale_specific", {})[LOCALE][code],
        lambda: values.get("channel_specific", {})[CHANNEL][code],
    ):
        try:
            found = lookup()
        except (KeyError, TypeError):
            continue
        if found not in (None, ""):
            return found
    return None


def _number(raw: Any) -> float:
    try:
        return max(0.0, float(raw))
    except (TypeError, ValueError):
        return 0.0


class _Seeder:
    def __init__(self, state: BigCommerceState, catalogue: Any) -> None:
        self.state = state
        self.catalogue = catalogue
        active = [c["code"] for c in catalogue.currencies if c.get("status", 1)]
        self.currency = active[0] if active else state.default_currency
        self.category_ids: dict[str, int] = {}
        self.brand_ids: dict[str, int] = {}
        self.option_labels = {
            code: {
                o["code"]: _label(o.get("labels"), o["code"])
                for o in catalogue.attribute_options.get(code, [])
            }
            for code in (*AXES, "brand")
        }
        self.attributes = {a["code"]: a for a in catalogue.attributes}
        self.custom_field_codes = [
            a["code"]
            for a in catalogue.attributes
            if a.get("type") == "text" and a["code"] not in _NOT_CUSTOM_FIELDS
        ]
        self.fetched: dict[str, FetchedImage] = {}
        self.names: set[str] = set()

    def categories(self) -> None:
        # UnoPim's root is the channel's tree itself; its children are the store's top level.
        for category in self.catalogue.categories:
            if not category.get("parent"):
                continue
            name = _label(category.get("labels"), category["code"])[:50]
            spec = {"name": name, "parent_id": self.category_ids.get(category["parent"], 0), "tree_id": 1}
            extra = (category.get("additional_data") or {}).get("locale_specific", {}).get(LOCALE, {})
            if isinstance(extra.get("description"), str):
                spec["description"] = extra["description"]
            self.category_ids[category["code"]] = create_category(self.state, spec, tree_api=True)["id"]

    def brands(self) -> None:
        for code, label in self.option_labels["brand"].items():
            self.brand_ids[code] = create_brand(self.state, {"name": label})["id"]

    def image_key(self, values: dict[str, Any]) -> str | None:
        path = _value(values, "image")
        if not isinstance(path, str):
            return None
        data = self.catalogue.image_bytes(path)
        if not data:
            return None
        key = f"sandbox-seed:{path}"
        self.fetched[key] = FetchedImage(
            data=data, content_type="image/png", filename=posixpath.basename(path)
        )
        return key

    def unique_name(self, name: str, sku: str) -> str:
        # BigCommerce names are unique; generated catalogues may repeat one.
        name = name[:250]
        if name.lower() in self.names:
            name = f"{name[: 240 - len(sku)]} ({sku})"
        self.names.add(name.lower())
        return name

    def product_body(self, product: dict[str, Any]) -> dict[str, Any]:
        values = product.get("values") or {}
        sku = values.get("common", {}).get("sku") or product["sku"]
        price = _value(values, "price")
        body: dict[str, Any] = {
            "name": self.unique_name(str(_value(values, "name") or sku), sku),
            "type": "physical",
            "sku": sku,
            "price": _number(price.get(self.currency) if isinstance(price, dict) else price),
            "weight": _number(_value(values, "weight")),
            "width": _number(_value(values, "width")),
            "height": _number(_value(values, "height")),
            "depth": _number(_value(values, "length")),
            "description": str(_value(values, "description") or ""),
            "is_visible": bool(product.get("status", True)),
            "categories": [
                self.category_ids[c] for c in values.get("categories", []) if c in self.category_ids
            ],
        }
        brand = _value(values, "brand")
        if brand in self.brand_ids:
            body["brand_id"] = self.brand_ids[brand]
        fields = []
        for code in self.custom_field_codes:
            raw = _value(values, code)
            if isinstance(raw, str) and raw and len(fields) < MAX_CUSTOM_FIELDS:
                name = _label(self.attributes[code].get("labels"), code)[:250]
                fields.append({"name": name, "value": raw[:250]})
        if fields:
            body["custom_fields"] = fields
        image = self.image_key(values)
        if image:
            body["images"] = [{"image_url": image, "is_thumbnail": True}]
        return body

    def variant_body(self, variant: dict[str, Any], axes: dict[str, str]) -> dict[str, Any]:
        values = variant.get("values") or {}
        price = _value(values, "price")
        body: dict[str, Any] = {
            "sku": variant["sku"],
            "price": _number(price.get(self.currency) if isinstance(price, dict) else price),
            "weight": _number(_value(values, "weight")),
            "option_values": [
                {
                    "option_display_name": _label(self.attributes.get(axis, {}).get("labels"), axis),
                    "label": self.option_labels[axis].get(code, code),
                }
                for axis, code in axes.items()
            ],
        }
        image = self.image_key(values)
        if image:
            body["image_url"] = image
        return body

    def products(self) -> None:
        by_sku = {p["sku"]: p for p in self.catalogue.products}
        for product in self.catalogue.products:
            if not product.get("parent"):
                create_product(self.state, self.product_body(product), self.fetched)
        for configurable in self.catalogue.configurable_products:
            body = self.product_body(configurable)
            body["variants"] = [
                self.variant_body(by_sku.get(v["sku"], {"sku": v["sku"]}), v.get("attributes", {}))
                for v in configurable.get("variants", [])
            ]
            create_product(self.state, body, self.fetched)

    def related(self) -> None:
        """A product's up-sells and cross-sells as its one related-products list (B5)."""
        ids = {p["sku"].lower(): p["id"] for p in self.state.products_by_id.values()}
        for product in (*self.catalogue.products, *self.catalogue.configurable_products):
            links = (product.get("values") or {}).get("associations") or {}
            own = ids.get(str(product["sku"]).lower())
            related = [ids[s.lower()] for k in ("up_sells", "cross_sells") for s in links.get(k) or []
                       if s.lower() in ids]
            if own is not None and related:
                self.state.products_by_id[own]["related_products"] = list(dict.fromkeys(related))


def seed_store(state: BigCommerceState, catalogue: Any) -> None:
    """Call with `state.lock` held."""
    seeder = _Seeder(state, catalogue)
    seeder.categories()
    seeder.brands()
    seeder.products()
    seeder.related()

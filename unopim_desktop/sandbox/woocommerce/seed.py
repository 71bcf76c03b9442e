"""Fill a WooCommerce sandbox from a generated catalogue: the "store full, UnoPim empty" scenario.

A small conversion of its own (the sandbox must not share the app's mapping code): texts from
channel `default` (the first channel) in the first active locale, prices in the first active
currency, categories below the root, tags from the `tags` value, the `color`/`size` axes and the
other common select attributes as global attributes, configurable products as variable products
with one variation per variant, and one image per product served by this sandbox.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from unopim_desktop.sandbox.woocommerce.media import ALLOWED_IMAGE_TYPES
from unopim_desktop.sandbox.woocommerce.products import new_product_record, unique_post_slug
from unopim_desktop.sandbox.woocommerce.state import (
    CATEGORY,
    DEFAULT_CATEGORY_ID,
    TAG,
    Attribute,
    Media,
    Term,
    WooState,
    attribute_taxonomy,
)
from unopim_desktop.sandbox.woocommerce.taxonomies import unique_term_slug
from unopim_desktop.sandbox.woocommerce.variations import new_variation_record
from unopim_desktop.sandbox.woocommerce.wp import kses_post, sanitize_title, specialchars


class _Seeder:
    def __init__(self, state: WooState, catalogue: Any) -> None:
        self.state = state
        self.cat = catalogue
        self.channel = catalogue.channels[0]["code"] if catalogue.channels else "default"
        active_locales = [loc["code"] for loc in catalogue.locales if loc.get("status") == 1]
        self.locale = active_locales[0] if active_locales else "en_US"
        active_currencies = [cur["code"] for cur in catalogue.currencies if cur.get("status") == 1]
        self.currency = active_currencies[0] if active_currencies else "USD"
        total = len(catalogue.products) + len(catalogue.configurable_products)
        # Items are stamped one second apart, ending a minute ago, so date ordering is deterministic.
        self.clock = state.now() - timedelta(seconds=2 * total + 60)
        self.category_ids: dict[str, int] = {}
        self.tag_ids: dict[str, int] = {}
        self.attribute_ids: dict[str, int] = {}
        self.term_ids: dict[tuple[str, str], int] = {}  # (attribute code, option code) -> term id
        self.product_ids: dict[str, int] = {}

    def tick(self) -> Any:
        self.clock += timedelta(seconds=1)
        return self.clock

    # --- values ------------------------------------------------------------------------------------

    def value(self, product: dict[str, Any], code: str) -> Any:
        values = product.get("values") or {}
        buckets = (
            values.get("channel_locale_specific", {}).get(self.channel, {}).get(self.locale, {}),
            values.get("channel_specific", {}).get(self.channel, {}),
            values.get("locale_specific", {}).get(self.locale, {}),
            values.get("common", {}),
        )
        for bucket in buckets:
            if code in bucket:
                return bucket[code]
        return None

    def label(self, labels: dict[str, str] | None, fallback: str) -> str:
        labels = labels or {}
        return labels.get(self.locale) or labels.get("en_US") or fallback

    # --- taxonomies --------------------------------------------------------------------------------

    def add_term(self, taxonomy: str, name: str, parent: int = 0, description: str = "", order: int = 0) -> int:
        state = self.state
        clean = specialchars(name)
        term = Term(state.new_term_id(), taxonomy, clean, unique_term_slug(state, taxonomy, sanitize_title(clean) or "term", parent),
                    parent, description, menu_order=order)
        state.terms[term.id] = term
        return term.id

    def categories(self) -> None:
        by_code = {c["code"]: c for c in self.cat.categories}

        def depth(code: str) -> int:
            seen = 0
            while by_code.get(code, {}).get("parent"):
                code, seen = by_code[code]["parent"], seen + 1
            return seen

        for category in sorted(self.cat.categories, key=lambda c: depth(c["code"])):
            if not category.get("parent"):
                continue  # the channel's root is not a store category
            parent = self.category_ids.get(category["parent"], 0)
            texts = (category.get("additional_data") or {}).get("locale_specific", {}).get(self.locale, {})
            self.category_ids[category["code"]] = self.add_term(
                CATEGORY, self.label(category.get("labels"), category["code"]), parent,
                kses_post(texts.get("description", "")),
            )

    def tags(self) -> None:
        for tag in self.cat.tags:
            self.tag_ids[tag] = self.add_term(TAG, tag)

    def attributes(self) -> None:
        """Global attributes for the common select attributes that have options (color, size, brand...)."""
        options = self.cat.attribute_options
        for attribute in self.cat.attributes:
            code = attribute["code"]
            if attribute["type"] != "select" or attribute.get("value_per_locale") or attribute.get("value_per_channel"):
                continue
            if not options.get(code):
                continue
            slug = sanitize_title(code)[:28]
            record = Attribute(self.state.new_attribute_id(), self.label(attribute.get("labels"), code), slug)
            self.state.attributes[record.id] = record
            self.attribute_ids[code] = record.id
            for option in options[code]:
                self.term_ids[(code, option["code"])] = self.add_term(
                    attribute_taxonomy(record.id), self.label(option.get("labels"), option["code"]),
                    order=int(option.get("sort_order") or 0),
                )

    # --- products ----------------------------------------------------------------------------------

    def image(self, product: dict[str, Any]) -> int:
        path = self.value(product, "image")
        if not path or not isinstance(path, str):
            return 0
        state, cat = self.state, self.cat
        name = path.rsplit("/", 1)[-1]
        stamp = self.tick()
        folder = state.local(stamp).strftime("%Y/%m")
        file = f"{folder}/{name}"
        number = 1
        while file in state.media_files:
            stem, _, ext = name.rpartition(".")
            file = f"{folder}/{stem}-{number}.{ext}"
            number += 1
        mime = ALLOWED_IMAGE_TYPES.get(name.rpartition(".")[2].lower(), "image/png")
        media = Media(state.new_post_id(), file, mime, file.rsplit("/", 1)[-1], stamp, stamp,
                      loader=lambda p=path: cat.image_bytes(p))
        state.media[media.id] = media
        state.media_files[file] = media.id
        return media.id

    def price(self, product: dict[str, Any]) -> str:
        price = self.value(product, "price")
        return str(price.get(self.currency, "")) if isinstance(price, dict) else ""

    def stock(self, record: dict[str, Any], product: dict[str, Any]) -> None:
        quantity = self.value(product, "quantity")
        if quantity is None:  # no stock in the catalogue: a stable quantity from the SKU
            quantity = int(hashlib.sha1(product["sku"].encode()).hexdigest()[:4], 16) % 200
        record["manage_stock"] = True
        record["stock_quantity"] = int(float(quantity))
        record["stock_status"] = "instock" if record["stock_quantity"] > 0 else "outofstock"

    def shipping(self, record: dict[str, Any], product: dict[str, Any]) -> None:
        record["weight"] = str(self.value(product, "weight") or "")
        for side in ("length", "width", "height"):
            record["dimensions"][side] = str(self.value(product, side) or "")

    def product_attributes(self, product: dict[str, Any], axes: dict[str, list[str]]) -> list[dict[str, Any]]:
        items = []
        for position, (code, attr_id) in enumerate(self.attribute_ids.items()):
            if code in axes:
                term_ids = [self.term_ids[(code, o)] for o in axes[code] if (code, o) in self.term_ids]
                variation = True
            else:
                option = self.value(product, code)
                term_ids = [self.term_ids[(code, option)]] if (code, option) in self.term_ids else []
                variation = False
            if term_ids:
                items.append({"attribute_id": attr_id, "name": "", "key": attribute_taxonomy(attr_id),
                              "options": term_ids, "position": position, "visible": True, "variation": variation})
        return items

    def product(self, product: dict[str, Any], kind: str, axes: dict[str, list[str]]) -> dict[str, Any]:
        state = self.state
        record = new_product_record()
        record["id"] = state.new_post_id()
        record["type"] = kind
        record["status"] = "publish" if product.get("status") in (True, 1, "1", "true") else "draft"
        record["name"] = kses_post(str(self.value(product, "name") or product["sku"]))
        record["description"] = kses_post(str(self.value(product, "description") or ""))
        record["short_description"] = kses_post(str(self.value(product, "short_description") or ""))
        record["sku"] = product["sku"]
        if kind == "simple":
            record["regular_price"] = self.price(product)
            self.stock(record, product)
        self.shipping(record, product)
        codes = (product.get("values") or {}).get("categories") or []
        categories = list(dict.fromkeys(self.category_ids[c] for c in codes if c in self.category_ids))
        record["category_ids"] = categories or [DEFAULT_CATEGORY_ID]
        tags = [t.strip() for t in str(self.value(product, "tags") or "").split(",") if t.strip()]
        record["tag_ids"] = [self.tag_ids[t] if t in self.tag_ids else self._new_tag(t) for t in dict.fromkeys(tags)]
        record["attributes"] = self.product_attributes(product, axes)
        image_id = self.image(product)
        record["image_ids"] = [image_id] if image_id else []
        record["date_created"] = record["date_modified"] = self.tick()
        if record["status"] == "publish":
            record["slug"] = unique_post_slug(state, sanitize_title(record["name"]) or str(record["id"]), record["id"])
            state.product_slugs[record["slug"]] = record["id"]
        state.product_records[record["id"]] = record
        state.index_terms(record["id"], None, record)
        state.index_sku(record["id"], "", record["sku"])
        self.product_ids[product["sku"]] = record["id"]
        return record

    def _new_tag(self, name: str) -> int:
        self.tag_ids[name] = self.add_term(TAG, name)
        return self.tag_ids[name]

    def variation(self, parent: dict[str, Any], variant: dict[str, Any], axes: dict[str, str]) -> None:
        state = self.state
        record = new_variation_record(parent["id"])
        record["sku"] = variant["sku"]
        record["status"] = "publish" if variant.get("status", True) in (True, 1, "1", "true") else "private"
        record["regular_price"] = self.price(variant)
        self.stock(record, variant)
        self.shipping(record, variant)
        for code, option in axes.items():
            term_id = self.term_ids.get((code, option))
            if term_id is not None and code in self.attribute_ids:
                record["attributes"][attribute_taxonomy(self.attribute_ids[code])] = state.terms[term_id].slug
        record["image_id"] = self.image(variant)
        record["id"] = state.new_post_id()
        record["date_created"] = record["date_modified"] = self.tick()
        state.store_variation(record)
        state.index_sku(record["id"], "", record["sku"])

    def associations(self, products: list[dict[str, Any]]) -> None:
        for product in products:
            record_id = self.product_ids.get(product["sku"])
            links = (product.get("values") or {}).get("associations") or {}
            if record_id is None or not links:
                continue
            record = self.state.product_records[record_id]
            for source, target in (("up_sells", "upsell_ids"), ("cross_sells", "cross_sell_ids")):
                record[target] = [self.product_ids[s] for s in links.get(source, []) if s in self.product_ids]

    def run(self) -> None:
        self.categories()
        self.tags()
        self.attributes()
        variants_by_sku = {p["sku"]: p for p in self.cat.products if p.get("parent")}
        for product in self.cat.products:
            if not product.get("parent"):
                self.product(product, "simple", {})
        for configurable in self.cat.configurable_products:
            variants = configurable.get("variants") or []
            axes: dict[str, list[str]] = {}
            for variant in variants:
                for code, option in (variant.get("attributes") or {}).items():
                    axes.setdefault(code, [])
                    if option not in axes[code]:
                        axes[code].append(option)
            parent = self.product(configurable, "variable", axes)
            for variant in variants:
                self.variation(parent, variants_by_sku.get(variant["sku"], {"sku": variant["sku"]}),
                               variant.get("attributes") or {})
        self.associations(self.cat.products + self.cat.configurable_products)


def load_catalogue(state: WooState, catalogue: Any) -> None:
    with state.lock:
        _Seeder(state, catalogue).run()
        state.changed()

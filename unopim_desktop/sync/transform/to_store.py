"""UnoPim product → neutral store product, under a mapping. Pure functions: no I/O, no clock.

The engine gathers what a transform needs (attribute definitions, option labels, links to store ids)
into a `PullMapping` once per channel and feeds products through it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from unopim_desktop.domain import (
    AttributeDef,
    AttributeRow,
    ProductAttributeValue,
    StoreImage,
    StorePrice,
    StoreProduct,
    StoreTranslation,
    StoreVariant,
)
from unopim_desktop.sync.transform.extra import extra_keys, store_value
from unopim_desktop.sync.transform.values import price_amount, read_value, split_codes

IN_STOCK_WORDS = {"instock", "in_stock", "in stock", "true", "1", "yes", "available"}
OUT_OF_STOCK_WORDS = {"outofstock", "out_of_stock", "out of stock", "false", "0", "no"}
BACKORDER_WORDS = {"onbackorder", "backorder", "on_backorder"}


@dataclass
class PullMapping:
    """Everything a transform needs for one channel and store."""

    channel: str
    locales: list[str]  # the fallback chain: channel default first
    currency: str  # the UnoPim currency whose amounts become the store price
    core: dict[str, str]  # core field -> attribute code
    rows: list[AttributeRow]  # attribute mapping for the channel and its default locale
    attributes: dict[str, AttributeDef]
    option_labels: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # attr -> option -> locale -> label
    media_url: str = ""  # prefix for stored media paths, e.g. https://pim.example.com/storage/
    category_ids: dict[str, int] = field(default_factory=dict)  # UnoPim category code -> store id
    product_ids: dict[str, int] = field(default_factory=dict)  # SKU -> store id (associations)
    axis_names: dict[str, str] = field(default_factory=dict)  # UnoPim axis code -> store attribute name
    attribute_ids: dict[str, int] = field(default_factory=dict)  # store attribute name -> store id
    # Whether the store's products hold attributes besides variant options (`StoreKind.product_attributes`):
    # where not, an attribute row carries nothing on a product (its value would be lost, then pushed back empty).
    product_attributes: bool = True
    # #18: store language -> its fallback chain (the mapped UnoPim locale first), for the translations;
    # store currency -> the UnoPim currency behind it, for the prices beyond `currency`.
    languages: dict[str, list[str]] = field(default_factory=dict)
    currencies: dict[str, str] = field(default_factory=dict)

    def attr(self, key: str) -> AttributeDef | None:
        code = self.core.get(key, "")
        return self.attributes.get(code) if code else None

    def read(self, product: Mapping[str, Any], attr: AttributeDef | None) -> Any:
        if attr is None:
            return None
        return read_value(product.get("values") or {}, attr, channel=self.channel, locales=self.locales)

    def read_in(self, product: Mapping[str, Any], attr: AttributeDef | None, chain: list[str]) -> Any:
        """An attribute's value in another language (its fallback chain)."""
        if attr is None:
            return None
        return read_value(product.get("values") or {}, attr, channel=self.channel, locales=chain)

    def option_label(self, attr_code: str, option: str, chain: list[str] | None = None) -> str:
        labels = self.option_labels.get(attr_code, {}).get(option) or {}
        for loc in chain or self.locales:
            if labels.get(loc):
                return labels[loc]
        return next(iter(labels.values()), option)

    def store_attribute_name(self, attr_code: str) -> str:
        if attr_code in self.axis_names:
            return self.axis_names[attr_code]
        for row in self.rows:
            if row.attribute_code == attr_code and row.carrier == "attribute":
                return row.store_attribute
        attr = self.attributes.get(attr_code)
        return attr.label(self.locales[0]) if attr else attr_code


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _stock_quantity(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(float(str(value)))
    except ValueError:
        return None


def _stock_status(value: Any) -> str:
    word = str(value).strip().lower() if value not in (None, "") else ""
    if word in IN_STOCK_WORDS:
        return "instock"
    if word in OUT_OF_STOCK_WORDS:
        return "outofstock"
    if word in BACKORDER_WORDS:
        return "onbackorder"
    return ""


def _publish_status(product: Mapping[str, Any], m: PullMapping) -> str:
    attr = m.attr("status")
    if attr is None or attr.system:
        return "publish" if product.get("status") in (True, 1, "1", "true") else "draft"
    value = m.read(product, attr)
    return "publish" if str(value).lower() in ("true", "1", "publish", "enabled", "yes") else "draft"


def display_values(attr: AttributeDef, value: Any, m: PullMapping) -> list[str]:
    """Human values of an attribute for a store attribute's terms or a meta field."""
    if value in (None, ""):
        return []
    if attr.type in ("select",):
        return [m.option_label(attr.code, str(value))]
    if attr.type in ("multiselect", "checkbox"):
        return [m.option_label(attr.code, code) for code in split_codes(value)]
    if attr.type == "boolean":
        return ["Yes" if str(value).lower() == "true" else "No"]
    if attr.type == "price":
        return [price_amount(value, m.currency)] if price_amount(value, m.currency) else []
    if isinstance(value, Mapping):  # measurement
        amount = value.get("value", value.get("amount", ""))
        return [f"{amount} {value.get('unit', '')}".strip()]
    return [str(value)]


def _images(product: Mapping[str, Any], m: PullMapping) -> list[StoreImage]:
    paths: list[str] = []
    for key in ("image", "gallery"):
        attr = m.attr(key)
        if attr is not None:
            paths += split_codes(m.read(product, attr))
    seen: list[str] = []
    for p in paths:
        if p not in seen:
            seen.append(p)
    return [StoreImage(src=media_src(p, m.media_url), position=i) for i, p in enumerate(seen)]


def media_src(path: str, media_url: str) -> str:
    if re.match(r"^https?://", path):
        return path
    return media_url.rstrip("/") + "/" + path.lstrip("/")


def _tags(product: Mapping[str, Any], m: PullMapping) -> list[str]:
    attr = m.attr("tags")
    if attr is None:
        return []
    value = m.read(product, attr)
    if attr.type in ("multiselect", "checkbox"):
        return display_values(attr, value, m)
    return split_codes(value)


def product_to_store(product: Mapping[str, Any], m: PullMapping, *, axes: list[str] | None = None,
                     axis_options: dict[str, list[str]] | None = None) -> StoreProduct:
    """A simple product, or a configurable one (with `axes`: its super attributes and the options its
    variants use) as a variable product. Variants are transformed separately."""
    values = product.get("values") or {}
    sku = str((values.get("common") or {}).get("sku") or product.get("sku") or "")
    configurable = product.get("type") == "configurable" or axes is not None
    text = lambda key: _text(m.read(product, m.attr(key)))  # noqa: E731
    out = StoreProduct(
        sku=sku,
        name=text("name") or sku,
        type="variable" if configurable else "simple",
        status=_publish_status(product, m),
        description=text("description"),
        short_description=text("short_description"),
        regular_price="" if configurable else price_amount(m.read(product, m.attr("regular_price")), m.currency),
        sale_price="" if configurable else price_amount(m.read(product, m.attr("sale_price")), m.currency),
        stock_quantity=None if configurable else _stock_quantity(m.read(product, m.attr("stock_quantity"))),
        stock_status="" if configurable else _stock_status(m.read(product, m.attr("stock_status"))),
        weight=text("weight"),
        length=text("length"),
        width=text("width"),
        height=text("height"),
        category_ids=sorted({m.category_ids[c] for c in values.get("categories") or [] if c in m.category_ids}),
        tags=_tags(product, m),
        images=_images(product, m),
    )
    if out.stock_quantity is not None and not out.stock_status:
        out.stock_status = "instock" if out.stock_quantity > 0 else "outofstock"
    for key in extra_keys(m.core):
        attr = m.attr(key)
        if attr is not None:
            out.extra[key] = store_value(key, attr, m.read(product, attr), label=m.option_label, currency=m.currency)
    out.translations = translations_of(product, m, fallback_name=out.name)
    if not configurable:
        out.prices = prices_of(product, m)
    assoc = values.get("associations") or {}
    out.upsell_ids = [m.product_ids[s] for s in assoc.get("up_sells") or [] if s in m.product_ids]
    out.cross_sell_ids = [m.product_ids[s] for s in assoc.get("cross_sells") or [] if s in m.product_ids]
    axis_set = set(axes or [])
    for row in m.rows:
        attr = m.attributes.get(row.attribute_code) if row.attribute_code else None
        if attr is None or attr.code in axis_set:
            continue
        if row.carrier != "meta" and not m.product_attributes:
            continue  # no product attributes in this store: only variant axes carry attribute rows
        shown = display_values(attr, m.read(product, attr), m)
        if not shown:
            continue
        if row.carrier == "meta":
            out.meta[row.store_attribute] = ", ".join(shown)
        else:
            out.attributes.append(ProductAttributeValue(
                name=row.store_attribute, options=shown, store_id=m.attribute_ids.get(row.store_attribute),
                visible=True, variation=False,
            ))
    for code in axes or []:
        name = m.store_attribute_name(code)
        options = [m.option_label(code, o) for o in (axis_options or {}).get(code, [])]
        out.attributes.append(ProductAttributeValue(
            name=name, options=options, store_id=m.attribute_ids.get(name), visible=True, variation=True,
        ))
    return out


# The core fields `variant_to_store` reads: what a 3.x parent has to keep to resolve its variants.
VARIANT_FIELDS = ("regular_price", "sale_price", "stock_quantity", "stock_status", "status", "weight", "length",
                  "width", "height", "image", "gallery")


def variant_codes(m: PullMapping) -> set[str]:
    return {attr.code for attr in (m.attr(key) for key in VARIANT_FIELDS) if attr is not None}


def variant_to_store(variant: Mapping[str, Any], axes: list[str], m: PullMapping) -> StoreVariant:
    values = variant.get("values") or {}
    common = values.get("common") or {}
    sku = str(common.get("sku") or variant.get("sku") or "")
    images = _images(variant, m)
    qty = _stock_quantity(m.read(variant, m.attr("stock_quantity")))
    status = _stock_status(m.read(variant, m.attr("stock_status")))
    if qty is not None and not status:
        status = "instock" if qty > 0 else "outofstock"
    return StoreVariant(
        sku=sku,
        prices=prices_of(variant, m),
        regular_price=price_amount(m.read(variant, m.attr("regular_price")), m.currency),
        sale_price=price_amount(m.read(variant, m.attr("sale_price")), m.currency),
        stock_quantity=qty,
        stock_status=status,
        status="publish" if _publish_status(variant, m) == "publish" else "private",
        weight=_text(m.read(variant, m.attr("weight"))),
        length=_text(m.read(variant, m.attr("length"))),
        width=_text(m.read(variant, m.attr("width"))),
        height=_text(m.read(variant, m.attr("height"))),
        axes={m.store_attribute_name(code): m.option_label(code, str(common.get(code, ""))) for code in axes
              if common.get(code)},
        image=images[0] if images else None,
    )


def translations_of(product: Mapping[str, Any], m: PullMapping, *, fallback_name: str = "") -> dict[str, StoreTranslation]:
    """The product's texts in each further store language (its locale first, then the channel's chain, as
    the connector's fallback chain reads them)."""
    out: dict[str, StoreTranslation] = {}
    for lang, chain in m.languages.items():
        text = {key: _text(m.read_in(product, m.attr(key), chain))
                for key in ("name", "description", "short_description")}
        out[lang] = StoreTranslation(name=text["name"] or fallback_name, description=text["description"],
                                     short_description=text["short_description"])
    return out


def prices_of(product: Mapping[str, Any], m: PullMapping) -> dict[str, StorePrice]:
    """The product's prices in each further store currency that UnoPim has an amount for (a currency
    without one is left to the store's exchange rate)."""
    out: dict[str, StorePrice] = {}
    regular = m.read(product, m.attr("regular_price"))
    sale = m.read(product, m.attr("sale_price"))
    for store_currency, currency in m.currencies.items():
        price = StorePrice(price_amount(regular, currency), price_amount(sale, currency))
        if price.regular_price or price.sale_price:
            out[store_currency] = price
    return out


def category_translations(category: dict[str, Any], m: PullMapping) -> dict[str, StoreTranslation]:
    return {lang: StoreTranslation(name=category_name(category, chain), description=category_text(category, chain,
                                                                                                    "description"))
            for lang, chain in m.languages.items()}


def category_text(category: dict[str, Any], locales: list[str], key: str) -> str:
    per_locale = ((category.get("additional_data") or {}).get("locale_specific")) or {}
    for loc in locales:
        value = (per_locale.get(loc) or {}).get(key)
        if value:
            return str(value)
    return ""


def category_name(category: dict[str, Any], locales: list[str]) -> str:
    return category_text(category, locales, "name") or next(iter((category.get("labels") or {}).values()), "")

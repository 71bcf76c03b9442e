"""The store's core fields and which UnoPim attribute types can feed them.

`CORE_FIELDS` is every core row any store kind holds; each kind declares the keys it holds
(`stores.kind.StoreKind.core_fields`): WooCommerce has a short description, tags and a stock status,
BigCommerce has none of those but its own SEO, pricing, shipping and identifier fields. A row applies only
to the channels whose store holds it (the core mapping is one per UnoPim address, shared by every channel).
"""

from __future__ import annotations

from dataclasses import dataclass

from unopim_desktop.domain import EXTRA_FIELDS, SHARED_FIELDS, AttributeDef

# UnoPim keeps the product status outside `values`; the Publish Status row maps to it.
STATUS_PSEUDO_ATTRIBUTE = AttributeDef(
    code="status", type="boolean", labels={"en_US": "Status (product field)"}, system=True
)

TEXTUAL = frozenset({"text", "textarea"})
WORDS = frozenset({"text", "textarea", "multiselect", "checkbox"})
CHOICE = frozenset({"select", "text", "boolean"})
FLAG = frozenset({"boolean"})
NUMERIC_TEXT_VALIDATIONS = frozenset({"number", "decimal"})


@dataclass(frozen=True)
class CoreField:
    key: str  # neutral StoreProduct field name
    label: str  # as the connector docs name it
    accepts: frozenset[str]  # UnoPim attribute types that fit
    default_codes: tuple[str, ...]  # what "Apply defaults" tries, in order
    pinned: bool = True  # the nine rows the docs list
    required: bool = False
    hint: str = ""
    # What a store product gets when UnoPim holds no value for a mapped row (an unmapped row is not written:
    # the store keeps its own value). "" clears the store's value.
    default: str = ""
    # How the value travels: text, price, number, flag (yes/no), choice (one of `choices`), words (a list).
    value: str = "text"
    choices: tuple[str, ...] = ()


CORE_FIELDS: tuple[CoreField, ...] = (
    CoreField("sku", "SKU", frozenset({"text"}), ("sku",), required=True,
              hint="a text attribute, usually sku"),
    CoreField("name", "Name", TEXTUAL, ("name", "product_name", "title"), required=True,
              hint="a text or textarea attribute"),
    CoreField("regular_price", "Regular Price", frozenset({"price"}), ("price", "regular_price"),
              hint="a price attribute (one amount per currency)"),
    CoreField("sale_price", "Sale Price", frozenset({"price"}), ("special_price", "sale_price"),
              hint="a price attribute (one amount per currency)"),
    CoreField("stock_quantity", "Stock Quantity", frozenset({"text"}), ("stock", "inventory", "quantity", "qty"),
              hint="a numeric text attribute"),
    CoreField("stock_status", "Stock Status", frozenset({"select", "boolean", "text"}), ("stock_status",),
              hint="a select, boolean or text attribute"),
    CoreField("description", "Description", TEXTUAL, ("description",), hint="a textarea or text attribute"),
    CoreField("short_description", "Short Description", TEXTUAL, ("short_description",),
              hint="a textarea or text attribute"),
    CoreField("status", "Publish Status", frozenset({"boolean", "select"}), ("status",),
              hint="the product status, or a boolean/select attribute"),
    CoreField("weight", "Weight", frozenset({"text", "measurement"}), ("weight",), pinned=False,
              hint="a numeric text or measurement attribute"),
    CoreField("length", "Length", frozenset({"text", "measurement"}), ("length",), pinned=False,
              hint="a numeric text or measurement attribute"),
    CoreField("width", "Width", frozenset({"text", "measurement"}), ("width",), pinned=False,
              hint="a numeric text or measurement attribute"),
    CoreField("height", "Height", frozenset({"text", "measurement"}), ("height",), pinned=False,
              hint="a numeric text or measurement attribute"),
    # Beyond the docs' rows: WooCommerce needs to know which attributes hold tags and images.
    CoreField("tags", "Tags", frozenset({"text", "textarea", "multiselect", "checkbox"}), ("tags",), pinned=False,
              hint="a text attribute of comma-separated tags, or a multiselect"),
    CoreField("image", "Featured Image", frozenset({"image"}), ("image", "base_image"), pinned=False,
              hint="an image attribute"),
    CoreField("gallery", "Gallery", frozenset({"gallery", "image"}), ("gallery",), pinned=False,
              hint="a gallery or image attribute"),
    # BigCommerce's own product fields (store-apis B5).
    CoreField("page_title", "Page Title", TEXTUAL, ("meta_title", "page_title"), pinned=False,
              hint="a text attribute"),
    CoreField("meta_description", "Meta Description", TEXTUAL, ("meta_description",), pinned=False,
              hint="a text or textarea attribute"),
    CoreField("meta_keywords", "Meta Keywords", WORDS, ("meta_keywords",), pinned=False, value="words",
              hint="a text attribute of comma-separated words, or a multiselect"),
    CoreField("search_keywords", "Search Keywords", WORDS, ("search_keywords", "keywords", "tags"), pinned=False,
              value="words", hint="a text attribute of comma-separated words, or a multiselect"),
    CoreField("custom_url", "Custom URL", frozenset({"text"}), ("url_key", "custom_url"), pinned=False,
              hint="a text attribute (the product page's path, e.g. blue-mug)"),
    CoreField("cost_price", "Cost Price", frozenset({"price"}), ("cost", "cost_price"), pinned=False,
              value="price", hint="a price attribute (one amount per currency)"),
    CoreField("retail_price", "Retail Price (MSRP)", frozenset({"price"}), ("msrp", "retail_price"), pinned=False,
              value="price", hint="a price attribute (one amount per currency)"),
    CoreField("product_type", "Product Type", CHOICE, ("product_type",), pinned=False, default="physical",
              value="choice", choices=("physical", "digital"),
              hint="a select or text attribute saying physical or digital, or a boolean (yes: digital)"),
    CoreField("availability", "Availability", CHOICE - {"boolean"}, ("availability",), pinned=False,
              default="available", value="choice", choices=("available", "disabled", "preorder"),
              hint="a select or text attribute saying available, disabled or preorder"),
    CoreField("is_featured", "Featured", FLAG, ("is_featured", "featured"), pinned=False, default="no",
              value="flag", hint="a boolean attribute"),
    CoreField("free_shipping", "Free Shipping", FLAG, ("free_shipping", "is_free_shipping"), pinned=False,
              default="no", value="flag", hint="a boolean attribute"),
    CoreField("warranty", "Warranty", TEXTUAL, ("warranty",), pinned=False, hint="a text or textarea attribute"),
    CoreField("condition", "Condition", CHOICE - {"boolean"}, ("condition",), pinned=False, default="New",
              value="choice", choices=("New", "Used", "Refurbished"),
              hint="a select or text attribute saying New, Used or Refurbished"),
    CoreField("gtin", "GTIN", frozenset({"text"}), ("gtin", "ean"), pinned=False, hint="a text attribute"),
    CoreField("mpn", "MPN", frozenset({"text"}), ("mpn",), pinned=False, hint="a text attribute"),
    CoreField("upc", "UPC", frozenset({"text"}), ("upc",), pinned=False, hint="a text attribute"),
    CoreField("brand", "Brand", frozenset({"select", "text"}), ("brand", "manufacturer"), pinned=False,
              hint="a select or text attribute (the brand is created in the store when missing)"),
)
CORE_FIELD_BY_KEY = {f.key: f for f in CORE_FIELDS}
assert set(SHARED_FIELDS) <= set(CORE_FIELD_BY_KEY)
assert set(EXTRA_FIELDS) <= set(CORE_FIELD_BY_KEY)

# How a mapped attribute travels to the store.
CARRIER_ATTRIBUTE = "attribute"  # WooCommerce global attribute (pa_* taxonomy) / BigCommerce option
CARRIER_META = "meta"  # WooCommerce meta_data / BigCommerce custom field
CARRIERS = (CARRIER_ATTRIBUTE, CARRIER_META)
# Types a store attribute (a list of terms) can carry.
# Attribute types whose values are option codes (with labels per locale).
SELECT_LIKE = frozenset({"select", "multiselect", "checkbox"})
ATTRIBUTE_CARRIER_TYPES = frozenset({"select", "multiselect", "checkbox", "boolean", "text"})
# Types a meta field / custom field can carry (a string).
META_CARRIER_TYPES = frozenset(
    {"text", "textarea", "select", "multiselect", "checkbox", "boolean", "date", "datetime", "file", "measurement"}
)

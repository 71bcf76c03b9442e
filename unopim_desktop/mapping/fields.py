"""The store's core fields and which UnoPim attribute types can feed them."""

from __future__ import annotations

from dataclasses import dataclass

from unopim_desktop.domain import AttributeDef

# UnoPim keeps the product status outside `values`; the Publish Status row maps to it.
STATUS_PSEUDO_ATTRIBUTE = AttributeDef(
    code="status", type="boolean", labels={"en_US": "Status (product field)"}, system=True
)

TEXTUAL = frozenset({"text", "textarea"})
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
)
CORE_FIELD_BY_KEY = {f.key: f for f in CORE_FIELDS}

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

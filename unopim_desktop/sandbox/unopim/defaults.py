"""What a fresh UnoPim install holds, as the sandbox serves it when no catalogue is loaded.

From the installer seeders (`packages/Webkul/Installer/src/Database/Seeders/**` @V3) and
unopim-api.md §6.1: locale and currency lists in id order (alphabetical, as seeded), channel
`default`, root category `root`, the default attributes, groups and family, and the colour and
size options.
"""

from __future__ import annotations

from typing import Any

DEFAULT_LOCALE = "en_US"
DEFAULT_CHANNEL = "default"
DEFAULT_CURRENCY = "USD"
ROOT_CATEGORY = "root"

# A slice of the ~210 seeded locales (alphabetical, as the seeder inserts them); en_US is active.
FRESH_LOCALES = [
    "af_ZA", "am_ET", "ar_AE", "ar_BH", "ar_DZ", "ar_EG", "ar_IQ", "ar_JO", "ar_KW", "ar_LB",
    "ca_ES", "cs_CZ", "da_DK", "de_DE", "el_GR", "en_AU", "en_CA", "en_GB", "en_NZ", "en_US",
    "es_ES", "es_MX", "fi_FI", "fr_CA", "fr_FR", "hi_IN", "it_IT", "ja_JP", "ko_KR", "nl_NL",
    "pl_PL", "pt_BR", "pt_PT", "ru_RU", "sv_SE", "tr_TR", "uk_UA", "zh_CN", "zh_TW",
]  # fmt: skip

# (code, CLDR label in en_US); USD is active.
FRESH_CURRENCIES = [
    ("AED", "United Arab Emirates Dirham"), ("AUD", "Australian Dollar"), ("BRL", "Brazilian Real"),
    ("CAD", "Canadian Dollar"), ("CHF", "Swiss Franc"), ("CNY", "Chinese Yuan"), ("CZK", "Czech Koruna"),
    ("DKK", "Danish Krone"), ("EUR", "Euro"), ("GBP", "British Pound"), ("HKD", "Hong Kong Dollar"),
    ("INR", "Indian Rupee"), ("JPY", "Japanese Yen"), ("MXN", "Mexican Peso"), ("NOK", "Norwegian Krone"),
    ("NZD", "New Zealand Dollar"), ("PLN", "Polish Zloty"), ("SEK", "Swedish Krona"),
    ("TRY", "Turkish Lira"), ("USD", "US Dollar"), ("ZAR", "South African Rand"),
]  # fmt: skip

CURRENCY_LABELS = dict(FRESH_CURRENCIES)


def _attr(code: str, type_: str, position: int, label: str, *, required: int = 0, unique: int = 0,
          per_locale: int = 0, per_channel: int = 0, validation: str | None = None,
          wysiwyg: int = 0) -> dict[str, Any]:  # fmt: skip
    return {
        "code": code,
        "type": type_,
        "swatch_type": None,
        "validation": validation,
        "regex_pattern": None,
        "position": position,
        "is_required": required,
        "is_unique": unique,
        "value_per_locale": per_locale,
        "value_per_channel": per_channel,
        "enable_wysiwyg": wysiwyg,
        "labels": {DEFAULT_LOCALE: label},
    }


def fresh_attributes() -> list[dict[str, Any]]:
    """The default install attributes in id order (AttributeTableSeeder)."""
    return [
        _attr("sku", "text", 1, "SKU", required=1, unique=1),
        _attr("name", "text", 3, "Name", required=1, per_locale=1, per_channel=1),
        _attr("url_key", "text", 4, "URL Key", required=1, unique=1),
        _attr("tax_category_id", "select", 5, "Tax Category", per_channel=1),
        _attr("image", "image", 10, "Image"),
        _attr("short_description", "textarea", 11, "Short Description", required=1, per_locale=1,
              per_channel=1, wysiwyg=1),  # fmt: skip
        _attr("description", "textarea", 12, "Description", required=1, per_locale=1, per_channel=1, wysiwyg=1),
        _attr("price", "price", 13, "Price", required=1, per_locale=1, per_channel=1, validation="decimal"),
        _attr("cost", "price", 14, "Cost", per_channel=1, validation="decimal"),
        _attr("meta_title", "textarea", 18, "Meta Title", per_locale=1, per_channel=1),
        _attr("meta_keywords", "textarea", 20, "Meta Keywords", per_locale=1, per_channel=1),
        _attr("meta_description", "textarea", 21, "Meta Description", per_locale=1, per_channel=1),
        _attr("length", "text", 22, "Length", validation="decimal"),
        _attr("width", "text", 23, "Width", validation="decimal"),
        _attr("height", "text", 24, "Height", validation="decimal"),
        _attr("weight", "text", 25, "Weight", required=1, validation="decimal"),
        _attr("color", "select", 26, "Color"),
        _attr("size", "select", 27, "Size"),
        _attr("brand", "select", 28, "Brand"),
        _attr("product_number", "text", 2, "Product Number", unique=1),
    ]


def fresh_attribute_options() -> dict[str, list[dict[str, Any]]]:
    def opts(codes: list[str]) -> list[dict[str, Any]]:
        return [{"code": c, "sort_order": i, "labels": {DEFAULT_LOCALE: c}} for i, c in enumerate(codes, 1)]

    return {
        "color": opts(["Red", "Green", "Yellow", "Black", "White"]),
        "size": opts(["S", "M", "L", "XL"]),
    }


def fresh_attribute_groups() -> list[dict[str, Any]]:
    return [
        {"code": "general", "labels": {DEFAULT_LOCALE: "General"}},
        {"code": "description", "labels": {DEFAULT_LOCALE: "Description"}},
        {"code": "meta_description", "labels": {DEFAULT_LOCALE: "Meta Description"}},
        {"code": "price", "labels": {DEFAULT_LOCALE: "Price"}},
        {"code": "media", "labels": {DEFAULT_LOCALE: "Media"}},
    ]


def fresh_families() -> list[dict[str, Any]]:
    def group(code: str, position: int, attrs: list[str]) -> dict[str, Any]:
        return {
            "code": code,
            "position": position,
            "custom_attributes": [{"code": a, "position": i} for i, a in enumerate(attrs, 1)],
        }

    return [
        {
            "code": "default",
            "labels": {DEFAULT_LOCALE: "Default"},
            "attribute_groups": [
                group("general", 1, ["sku", "product_number", "name", "url_key", "tax_category_id", "color",
                                     "size", "brand"]),  # fmt: skip
                group("description", 2, ["short_description", "description"]),
                group("meta_description", 3, ["meta_title", "meta_keywords", "meta_description"]),
                group("price", 4, ["price", "cost"]),
                group("media", 5, ["image", "length", "width", "height", "weight"]),
            ],
        }
    ]


def fresh_category_fields() -> list[dict[str, Any]]:
    """Category fields of a fresh install: `name` (per locale) and `description` (textarea)."""
    return [
        {"code": "name", "type": "text", "status": 1, "validation": None, "regex_pattern": None, "position": 1,
         "is_required": 1, "is_unique": 0, "value_per_locale": 1, "enable_wysiwyg": 0, "section": "left",
         "labels": {DEFAULT_LOCALE: "Name"}},
        {"code": "description", "type": "textarea", "status": 1, "validation": None, "regex_pattern": None,
         "position": 2, "is_required": 0, "is_unique": 0, "value_per_locale": 1, "enable_wysiwyg": 1,
         "section": "left", "labels": {DEFAULT_LOCALE: "Description"}},
    ]  # fmt: skip


def fresh_categories() -> list[dict[str, Any]]:
    return [
        {
            "code": ROOT_CATEGORY,
            "parent": None,
            "additional_data": {"locale_specific": {DEFAULT_LOCALE: {"name": "Root"}}},
        }
    ]


def fresh_channels() -> list[dict[str, Any]]:
    return [
        {
            "code": DEFAULT_CHANNEL,
            "labels": {DEFAULT_LOCALE: "Default"},
            "root_category": ROOT_CATEGORY,
            "locales": [DEFAULT_LOCALE],
            "currencies": [DEFAULT_CURRENCY],
        }
    ]

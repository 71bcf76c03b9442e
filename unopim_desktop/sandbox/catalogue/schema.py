"""The non-product half of a generated catalogue: settings, attributes, options, families, categories.

Shapes follow unopim-api.md §7 (what GET returns for each resource). The default install attributes keep
the codes, types, flags and positions of UnoPim's `AttributeTableSeeder`; the generated ones add every
remaining attribute type in a mix of scopes.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from unopim_desktop.sandbox.catalogue import vocab

ROOT_CATEGORY = "root"

# Stored without delimiters: UnoPim builds the rule as `regex: "<pattern>"`, so PHP uses `"` as the delimiter.
MANUFACTURER_CODE_PATTERN = "^[A-Z]{3}-[0-9]{4}$"


@dataclass(frozen=True)
class AttributeSpec:
    code: str
    type: str
    position: int
    group: str
    per_locale: int = 0
    per_channel: int = 0
    required: int = 0
    unique: int = 0
    validation: str | None = None
    regex_pattern: str | None = None
    wysiwyg: int = 0

    @property
    def scope(self) -> str:
        """The `values` bucket this attribute's flags put it in (Attribute::getScope)."""
        if self.per_locale and self.per_channel:
            return "channel_locale_specific"
        if self.per_channel:
            return "channel_specific"
        if self.per_locale:
            return "locale_specific"
        return "common"


A = AttributeSpec
# Listed in family order (group by group); positions are the seeder's for the default attributes.
ATTRIBUTES: tuple[AttributeSpec, ...] = (
    A("sku", "text", 1, "general", required=1, unique=1),
    A("product_number", "text", 2, "general", unique=1),
    A("name", "text", 3, "general", per_locale=1, per_channel=1, required=1),
    A("url_key", "text", 4, "general", required=1, unique=1),
    A("tax_category_id", "select", 5, "general", per_channel=1),
    A("color", "select", 26, "general"),
    A("size", "select", 27, "general"),
    A("brand", "select", 28, "general"),
    A("short_description", "textarea", 11, "description", per_locale=1, per_channel=1, required=1, wysiwyg=1),
    A("description", "textarea", 12, "description", per_locale=1, per_channel=1, required=1, wysiwyg=1),
    A("subtitle", "text", 29, "description", per_locale=1),
    A("care_instructions", "textarea", 30, "description", per_locale=1),
    A("meta_title", "textarea", 18, "meta_description", per_locale=1, per_channel=1),
    A("meta_keywords", "textarea", 20, "meta_description", per_locale=1, per_channel=1),
    A("meta_description", "textarea", 21, "meta_description", per_locale=1, per_channel=1),
    A("price", "price", 13, "price", per_locale=1, per_channel=1, required=1, validation="decimal"),
    A("cost", "price", 14, "price", per_channel=1, validation="decimal"),
    A("msrp", "price", 31, "price", validation="decimal"),
    A("image", "image", 10, "media"),
    A("gallery", "gallery", 32, "media"),
    A("size_chart", "file", 33, "media"),
    A("length", "text", 22, "technical", validation="decimal"),
    A("width", "text", 23, "technical", validation="decimal"),
    A("height", "text", 24, "technical", validation="decimal"),
    A("weight", "text", 25, "technical", required=1, validation="decimal"),
    A("material", "select", 34, "technical"),
    A(
        "manufacturer_code",
        "text",
        35,
        "technical",
        validation="regex",
        regex_pattern=MANUFACTURER_CODE_PATTERN,
    ),
    A("quantity", "text", 36, "technical", validation="number"),
    A("certifications", "checkbox", 37, "technical"),
    A("tags", "text", 38, "marketing"),
    A("featured", "boolean", 39, "marketing", per_channel=1),
    A("seasons", "multiselect", 40, "marketing"),
    A("release_date", "date", 41, "marketing"),
    A("sale_starts_at", "datetime", 42, "marketing", per_channel=1),
    A("product_url", "text", 43, "marketing", per_channel=1, validation="url"),
    A("support_email", "text", 44, "marketing", validation="email"),
    A("gift_wrap", "boolean", 45, "marketing"),
)
ATTRIBUTE_BY_CODE = {a.code: a for a in ATTRIBUTES}

OPTION_SOURCES: dict[str, tuple[tuple[str, vocab.Translations], ...]] = {
    "tax_category_id": vocab.TAX_CATEGORY_OPTIONS,
    "color": vocab.COLOR_OPTIONS,
    "size": vocab.SIZE_OPTIONS,
    "brand": vocab.BRAND_OPTIONS,
    "material": vocab.MATERIAL_OPTIONS,
    "certifications": vocab.CERTIFICATION_OPTIONS,
    "seasons": vocab.SEASON_OPTIONS,
}

# Families other than `default` (which has every attribute). `clothing` holds color and size, the
# configurable products' super attributes.
FAMILY_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "default": tuple(a.code for a in ATTRIBUTES),
    "clothing": (
        "sku", "product_number", "name", "url_key", "tax_category_id", "color", "size", "brand",
        "short_description", "description", "care_instructions", "meta_title", "meta_keywords",
        "meta_description", "price", "cost", "image", "gallery", "size_chart", "weight", "material", "quantity",
        "certifications", "tags", "featured", "seasons", "sale_starts_at", "gift_wrap",
    ),
    "accessories": (
        "sku", "product_number", "name", "url_key", "tax_category_id", "color", "brand", "short_description",
        "description", "subtitle", "meta_title", "meta_keywords", "meta_description", "price", "cost", "msrp",
        "image", "gallery", "length", "width", "height", "weight", "material", "manufacturer_code",
        "quantity", "tags", "featured", "release_date", "product_url", "support_email",
    ),
}  # fmt: skip


def locale_objects(active: list[str]) -> list[dict[str, Any]]:
    return [{"code": c, "status": 1} for c in active] + [
        {"code": c, "status": 0} for c in vocab.INACTIVE_LOCALE_CODES
    ]


def currency_objects(active: list[str]) -> list[dict[str, Any]]:
    label_of = {code: label for code, label, _rate, _dec in vocab.CURRENCIES}
    return [{"code": c, "status": 1, "label": label_of[c]} for c in active] + [
        {"code": c, "status": 0, "label": label} for c, label in vocab.INACTIVE_CURRENCIES
    ]


def channel_objects(count: int, locales: list[str], currencies: list[str]) -> list[dict[str, Any]]:
    """`default` has every active locale and currency; each further channel has one fewer (never none),
    so per-channel buckets differ in shape the way real multi-channel catalogues do."""
    channels = []
    for i, (code, names) in enumerate(vocab.CHANNELS[:count]):
        channels.append(
            {
                "code": code,
                "labels": vocab.labels(names, locales),
                "root_category": ROOT_CATEGORY,
                "locales": locales[: max(1, len(locales) - i)],
                "currencies": currencies[: max(1, len(currencies) - i)],
            }
        )
    return channels


def attribute_group_objects(locales: list[str]) -> list[dict[str, Any]]:
    return [{"code": code, "labels": vocab.labels(names, locales)} for code, names in vocab.ATTRIBUTE_GROUPS]


def attribute_objects(locales: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "code": a.code,
            "type": a.type,
            "swatch_type": None,
            "validation": a.validation,
            "regex_pattern": a.regex_pattern,
            "position": a.position,
            "is_required": a.required,
            "is_unique": a.unique,
            "value_per_locale": a.per_locale,
            "value_per_channel": a.per_channel,
            "enable_wysiwyg": a.wysiwyg,
            "labels": vocab.labels(vocab.ATTRIBUTE_LABELS[a.code], locales),
        }
        for a in ATTRIBUTES
    ]


def attribute_option_objects(locales: list[str]) -> dict[str, list[dict[str, Any]]]:
    return {
        attribute: [
            {"code": code, "sort_order": i, "labels": vocab.labels(names, locales)}
            for i, (code, names) in enumerate(source, 1)
        ]
        for attribute, source in OPTION_SOURCES.items()
    }


def family_objects(locales: list[str]) -> list[dict[str, Any]]:
    families = []
    for family, codes in FAMILY_ATTRIBUTES.items():
        groups: list[dict[str, Any]] = []
        for group_code, _names in vocab.ATTRIBUTE_GROUPS:
            members = [c for c in codes if ATTRIBUTE_BY_CODE[c].group == group_code]
            if members:
                groups.append(
                    {
                        "code": group_code,
                        "position": len(groups) + 1,
                        "custom_attributes": [{"code": c, "position": i} for i, c in enumerate(members, 1)],
                    }
                )
        families.append(
            {
                "code": family,
                "labels": vocab.labels(vocab.FAMILY_LABELS[family], locales),
                "attribute_groups": groups,
            }
        )
    return families


def category_code(department: str, sub: str | None = None, leaf: str | None = None) -> str:
    return "_".join(part for part in (department, sub, leaf) if part)


def category_objects(locales: list[str]) -> list[dict[str, Any]]:
    """Root first, then the tree depth-first so every parent precedes its children.

    `additional_data` matches a fresh install's category fields (`name` and `description`, both
    per locale). `labels` mirrors the names for the catalogue contract's convenience; the real
    GET /categories item has no `labels` key.
    """

    def category(code: str, parent: str | None, word: str, blurb: bool) -> dict[str, Any]:
        names = vocab.labels(vocab.CATEGORY_NAMES[word], locales)
        per_locale: dict[str, dict[str, str]] = {}
        for locale, name in names.items():
            fields = {"name": name}
            if blurb:
                fields["description"] = vocab.CATEGORY_BLURB[vocab.LOCALE_CODES.index(locale)].format(
                    name=html.escape(name, quote=False)
                )
            per_locale[locale] = fields
        return {
            "code": code,
            "parent": parent,
            "labels": names,
            "additional_data": {"locale_specific": per_locale},
        }

    categories = [category(ROOT_CATEGORY, None, ROOT_CATEGORY, blurb=False)]
    for department, (subs, leaves, _family) in vocab.DEPARTMENTS.items():
        categories.append(category(department, ROOT_CATEGORY, department, blurb=True))
        for sub in subs:
            sub_code = category_code(department, sub)
            categories.append(category(sub_code, department, sub, blurb=True))
            for leaf in leaves:
                categories.append(category(category_code(department, sub, leaf), sub_code, leaf, blurb=False))
    return categories

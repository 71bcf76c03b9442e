"""Refuse mappings that cannot work, with the reason, before anything is saved."""

from __future__ import annotations

from dataclasses import dataclass

from unopim_desktop.domain import AttributeDef
from unopim_desktop.mapping.fields import (
    ATTRIBUTE_CARRIER_TYPES,
    CARRIER_ATTRIBUTE,
    CARRIER_META,
    CARRIERS,
    CORE_FIELD_BY_KEY,
    META_CARRIER_TYPES,
    NUMERIC_TEXT_VALIDATIONS,
)


@dataclass(frozen=True)
class MappingProblem:
    row: str  # the core field key or the store attribute name
    message: str


def _not_in_family(attr: AttributeDef) -> str | None:
    if attr.system or attr.families:
        return None
    return (
        f"“{attr.code}” is not in any UnoPim family, so no product can hold a value for it. "
        "Add it to a family in UnoPim (then Refresh), or pick another attribute."
    )


def check_core_field(field_key: str, attr: AttributeDef | None) -> str | None:
    """None when the pair works, else why not."""
    field = CORE_FIELD_BY_KEY.get(field_key)
    if field is None:
        return f"“{field_key}” is not a core field."
    if attr is None:
        return None  # an empty row is allowed (except where required, checked on save)
    if attr.type not in field.accepts:
        if attr.type == "price":
            return (
                f"“{attr.code}” is a price attribute: it holds one amount per currency and cannot fill "
                f"{field.label}. Map it to Regular Price or Sale Price."
            )
        if field.accepts == frozenset({"price"}):
            return (
                f"{field.label} needs a price attribute (amounts per currency); “{attr.code}” is a "
                f"{attr.type} attribute."
            )
        return f"{field.label} needs {field.hint}; “{attr.code}” is a {attr.type} attribute."
    if field_key == "stock_quantity" and attr.validation and attr.validation not in NUMERIC_TEXT_VALIDATIONS:
        return f"Stock Quantity needs a number; “{attr.code}” only accepts {attr.validation} values."
    if field_key == "sku" and attr.scope != "common":
        return f"The SKU must be the same everywhere; “{attr.code}” has a value per {attr.scope.replace('_', ' and ')}."
    return _not_in_family(attr)


def check_attribute_row(store_attribute: str, attr: AttributeDef | None, carrier: str, variant_axis: bool) -> str | None:
    if not store_attribute.strip():
        return "Give the store attribute or custom field a name."
    if carrier not in CARRIERS:
        return f"“{carrier}” is not a way to carry a value (use attribute or meta)."
    if attr is None:
        return "Variant axes need a UnoPim attribute." if variant_axis else None
    if attr.type == "price":
        return (
            f"“{attr.code}” is a price attribute, bound to currencies; a store attribute or custom field holds "
            "plain text. Map it to Regular Price or Sale Price in Core fields."
        )
    if attr.type in ("image", "gallery"):
        return f"“{attr.code}” holds images; product images are carried as the product's images, not as attributes."
    allowed = ATTRIBUTE_CARRIER_TYPES if carrier == CARRIER_ATTRIBUTE else META_CARRIER_TYPES
    if attr.type not in allowed:
        kind = "a store attribute" if carrier == CARRIER_ATTRIBUTE else "a custom field"
        return f"A {attr.type} attribute cannot be carried as {kind}."
    if variant_axis:
        if carrier != CARRIER_ATTRIBUTE:
            return "A variant axis must be a store attribute, not a custom field."
        if attr.type != "select" or attr.scope != "common":
            return (
                f"“{attr.code}” cannot be a variant axis: UnoPim only builds variants on select attributes "
                "with one value for every channel and locale."
            )
    if carrier == CARRIER_META and variant_axis:
        return "A variant axis must be a store attribute."
    return _not_in_family(attr)

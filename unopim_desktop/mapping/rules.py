"""Refuse mappings that cannot work, with the reason, before anything is saved."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from unopim_desktop.domain import DIRECTIONS, AttributeDef, AttributeRow
from unopim_desktop.mapping.fields import (
    ATTRIBUTE_CARRIER_TYPES,
    CARRIER_ATTRIBUTE,
    CARRIER_META,
    CARRIERS,
    CORE_FIELD_BY_KEY,
    CORE_FIELDS,
    META_CARRIER_TYPES,
    NUMERIC_TEXT_VALIDATIONS,
)


@dataclass(frozen=True)
class MappingProblem:
    row: str  # the core field key or the store attribute name
    message: str


class StoreFields(Protocol):
    """What the rules know of a store kind (`stores.kind.StoreKind` is one): the core rows its products hold
    and whether they hold attributes besides variant options."""

    display_name: str
    core_fields: frozenset[str]
    product_attributes: bool


def store_lacks(field_key: str, store: StoreFields) -> str:
    field = CORE_FIELD_BY_KEY[field_key]
    return (f"{store.display_name} products have no {field.label} field, so this row cannot apply to channels whose "
            f"store is a {store.display_name} store; leave it unmapped there.")


def _not_in_family(attr: AttributeDef) -> str | None:
    if attr.system or attr.families:
        return None
    return (
        f"“{attr.code}” is not in any UnoPim family, so no product can hold a value for it. "
        "Add it to a family in UnoPim (then Refresh), or pick another attribute."
    )


def check_core_field(field_key: str, attr: AttributeDef | None, store: StoreFields | None = None) -> str | None:
    """None when the pair works (for channels whose store is of the kind `store`, when given), else why not."""
    field = CORE_FIELD_BY_KEY.get(field_key)
    if field is None:
        return f"“{field_key}” is not a core field."
    if attr is None:
        return None  # an empty row is allowed (except where required, checked on save)
    if store is not None and field_key not in store.core_fields:
        return store_lacks(field_key, store)
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


def check_attribute_row(store_attribute: str, attr: AttributeDef | None, carrier: str, variant_axis: bool,
                        store: StoreFields | None = None) -> str | None:
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
    if carrier == CARRIER_ATTRIBUTE and not variant_axis and store is not None and not store.product_attributes:
        return (f"{store.display_name} products have no attributes besides their variant options: carry "
                f"“{attr.code}” as a custom field (meta), or make it a variant axis.")
    return _not_in_family(attr)


def check_core_mapping(rows: Mapping[str, str], default_family: str, attributes: Mapping[str, AttributeDef],
                       families: Iterable[str], store: StoreFields | None = None) -> list[MappingProblem]:
    """Every problem of a core mapping against UnoPim's attributes and families: unknown attributes,
    incompatible types, required rows left empty, an attribute used twice, an unknown default family;
    with `store`, the rows of channels whose store is of that kind (a row it cannot hold is refused).
    The same rules serve Save (Mapping tab, `mapping auto`) and every run before it writes."""
    problems = []
    for f in CORE_FIELDS:
        if store is not None and f.key not in store.core_fields and f.key not in rows:
            continue  # another kind's row: not this check's
        code = rows.get(f.key, "")
        attr = attributes.get(code) if code else None
        if code and attr is None:
            problems.append(MappingProblem(f.key, f"“{code}” is not a UnoPim attribute (deleted or renamed in "
                                                  "UnoPim? Refresh channels to reload the list)."))
            continue
        reason = check_core_field(f.key, attr, store)
        if reason:
            problems.append(MappingProblem(f.key, reason))
        elif f.required and not code:
            problems.append(MappingProblem(f.key, f"{f.label} must be mapped."))
    used: dict[str, str] = {}
    for key, code in rows.items():
        if store is not None and key not in store.core_fields:
            continue  # rows of different kinds never apply together: one attribute may feed both
        if code and code in used:
            problems.append(MappingProblem(key, f"“{code}” is already mapped to {used[code]}."))
        used.setdefault(code, key)
    if default_family and default_family not in set(families):
        problems.append(MappingProblem("default_family", f"“{default_family}” is not a UnoPim family."))
    return problems


def check_attribute_rows(rows: Iterable[AttributeRow], attributes: Mapping[str, AttributeDef],
                         store: StoreFields | None = None) -> list[MappingProblem]:
    """Every problem of one channel and locale's attribute rows (the same rules on Save and at run time);
    `store`: the kind of the channel's store."""
    problems = []
    names: set[str] = set()
    for r in rows:
        if r.store_attribute in names:
            problems.append(MappingProblem(r.store_attribute, "appears twice."))
        names.add(r.store_attribute)
        attr = attributes.get(r.attribute_code) if r.attribute_code else None
        if r.attribute_code and attr is None:
            problems.append(MappingProblem(r.store_attribute, f"“{r.attribute_code}” is not a UnoPim attribute."))
            continue
        reason = check_attribute_row(r.store_attribute, attr, r.carrier, r.variant_axis, store)
        if reason:
            problems.append(MappingProblem(r.store_attribute, reason))
        elif r.direction not in DIRECTIONS:
            problems.append(MappingProblem(r.store_attribute, f"direction must be one of {', '.join(DIRECTIONS)}."))
        elif r.variant_axis and r.direction != "both":
            # An axis is the variations' structure: one side alone cannot own it.
            problems.append(MappingProblem(r.store_attribute, "a variant axis flows both ways."))
    return problems


def check_core_directions(directions: Mapping[str, str]) -> list[MappingProblem]:
    """Each core row's direction (both, pull only, push only); the SKU links both sides, so it flows both ways."""
    problems = []
    for key, direction in directions.items():
        if direction not in DIRECTIONS:
            problems.append(MappingProblem(key, f"Direction must be one of {', '.join(DIRECTIONS)}."))
        elif key == "sku" and direction != "both":
            problems.append(MappingProblem(key, "The SKU links both sides: it flows both ways."))
    return problems

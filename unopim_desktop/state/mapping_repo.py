"""Units of work for the UnoPim metadata cache and the field mappings (run them on the DbLane)."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from unopim_desktop.domain import AttributeDef, AttributeRow, CategoryRow
from unopim_desktop.state.models import (
    AttributeMapping,
    CategoryMapping,
    CoreFieldMapping,
    Instance,
    Setting,
    UnoPimAttribute,
    UnoPimCategory,
    UnoPimFamily,
    database_proxy,
)

DEFAULT_FAMILY_KEY = "default_family"


def _instance(address: str) -> Instance:
    inst = Instance.get_or_none(Instance.address == address)
    if inst is None:
        raise LookupError(f"No saved UnoPim connection for {address}")
    return inst


# -- UnoPim metadata cache ---------------------------------------------------------------------------
def replace_catalog_cache(
    address: str, attributes: list[dict[str, Any]], families: list[dict[str, Any]], categories: list[dict[str, Any]]
) -> None:
    inst = _instance(address)
    members: dict[str, list[str]] = {}
    family_attrs: dict[str, list[str]] = {}
    for fam in families:
        codes = [
            a["code"] for g in fam.get("attribute_groups") or [] for a in g.get("custom_attributes") or []
        ]
        family_attrs[fam["code"]] = codes
        for code in codes:
            members.setdefault(code, []).append(fam["code"])
    with database_proxy.atomic():
        for model in (UnoPimAttribute, UnoPimFamily, UnoPimCategory):
            model.delete().where(model.instance == inst).execute()
        for a in attributes:
            UnoPimAttribute.create(
                instance=inst, code=a["code"], type=a.get("type") or "text",
                value_per_locale=bool(int(a.get("value_per_locale") or 0)),
                value_per_channel=bool(int(a.get("value_per_channel") or 0)),
                validation=a.get("validation") or "", labels=json.dumps(a.get("labels") or {}),
                families=json.dumps(members.get(a["code"], [])),
            )
        for f in families:
            UnoPimFamily.create(instance=inst, code=f["code"], labels=json.dumps(f.get("labels") or {}),
                                attributes=json.dumps(family_attrs.get(f["code"], [])))
        for c in categories:
            UnoPimCategory.create(instance=inst, code=c["code"], parent=c.get("parent") or "",
                                  labels=json.dumps(c.get("labels") or _category_names(c)))


def _category_names(category: dict[str, Any]) -> dict[str, str]:
    """UnoPim keeps a category's name in additional_data.locale_specific.<locale>.name, not in labels."""
    per_locale = ((category.get("additional_data") or {}).get("locale_specific")) or {}
    return {loc: v["name"] for loc, v in per_locale.items() if isinstance(v, dict) and v.get("name")}


def attribute_defs(address: str) -> dict[str, AttributeDef]:
    inst = _instance(address)
    return {
        a.code: AttributeDef(
            code=a.code, type=a.type, value_per_locale=a.value_per_locale, value_per_channel=a.value_per_channel,
            validation=a.validation, labels=json.loads(a.labels), families=tuple(json.loads(a.families)),
        )
        for a in UnoPimAttribute.select().where(UnoPimAttribute.instance == inst).order_by(UnoPimAttribute.code)
    }


def family_codes(address: str) -> list[str]:
    inst = _instance(address)
    return [f.code for f in UnoPimFamily.select().where(UnoPimFamily.instance == inst).order_by(UnoPimFamily.code)]


def unopim_categories(address: str) -> list[dict[str, Any]]:
    inst = _instance(address)
    return [
        {"code": c.code, "parent": c.parent, "labels": json.loads(c.labels)}
        for c in UnoPimCategory.select().where(UnoPimCategory.instance == inst).order_by(UnoPimCategory.id)
    ]


# -- core fields -------------------------------------------------------------------------------------
def core_mapping(address: str) -> dict[str, str]:
    inst = _instance(address)
    return {m.store_field: m.attribute_code for m in CoreFieldMapping.select().where(CoreFieldMapping.instance == inst)}


def default_family(address: str) -> str:
    row = Setting.get_or_none((Setting.instance == _instance(address)) & (Setting.key == DEFAULT_FAMILY_KEY))
    return row.value if row else ""


def core_directions(address: str) -> dict[str, str]:
    """Core field key → direction (both | pull | push), for the rows that are not "both"."""
    inst = _instance(address)
    return {m.store_field: m.direction for m in CoreFieldMapping.select().where(
        (CoreFieldMapping.instance == inst) & (CoreFieldMapping.direction != "both"))}


def save_core_mapping(address: str, rows: dict[str, str], family: str,
                      directions: dict[str, str] | None = None, *, only: Collection[str] | None = None) -> None:
    """Save the core rows; `directions` None keeps each row's saved direction. With `only` (the rows of one
    store kind) the other rows are kept as saved; else `rows` replaces the whole mapping."""
    inst = _instance(address)
    with database_proxy.atomic():
        if directions is None:
            directions = {m.store_field: m.direction for m in CoreFieldMapping.select().where(
                CoreFieldMapping.instance == inst)}
        doomed = CoreFieldMapping.delete().where(CoreFieldMapping.instance == inst)
        if only is not None:
            doomed = doomed.where(CoreFieldMapping.store_field.in_(list(only)))
            rows = {k: v for k, v in rows.items() if k in only}
        doomed.execute()
        for field_key, code in rows.items():
            if code:
                CoreFieldMapping.create(instance=inst, store_field=field_key, attribute_code=code,
                                        direction=directions.get(field_key, "both"))
        Setting.delete().where((Setting.instance == inst) & (Setting.key == DEFAULT_FAMILY_KEY)).execute()
        Setting.create(instance=inst, key=DEFAULT_FAMILY_KEY, value=family)


# -- attributes --------------------------------------------------------------------------------------
def attribute_mapping(address: str, channel: str, locale: str) -> list[AttributeRow]:
    inst = _instance(address)
    q = AttributeMapping.select().where(
        (AttributeMapping.instance == inst) & (AttributeMapping.channel == channel) & (AttributeMapping.locale == locale)
    ).order_by(AttributeMapping.id)
    return [AttributeRow(m.store_attribute, m.attribute_code, m.carrier, m.variant_axis, m.direction or "both")
            for m in q]


def save_attribute_mapping(address: str, channel: str, locale: str, rows: list[AttributeRow]) -> None:
    inst = _instance(address)
    with database_proxy.atomic():
        AttributeMapping.delete().where(
            (AttributeMapping.instance == inst) & (AttributeMapping.channel == channel)
            & (AttributeMapping.locale == locale)
        ).execute()
        for r in rows:
            AttributeMapping.create(instance=inst, channel=channel, locale=locale, store_attribute=r.store_attribute,
                                    attribute_code=r.attribute_code, carrier=r.carrier, variant_axis=r.variant_axis,
                                    direction=r.direction)


# -- categories --------------------------------------------------------------------------------------
def category_mapping(address: str, channel: str) -> list[CategoryRow]:
    inst = _instance(address)
    q = CategoryMapping.select().where((CategoryMapping.instance == inst) & (CategoryMapping.channel == channel))
    return [CategoryRow(m.store_category_id, m.store_category_name, m.category_code) for m in q.order_by(CategoryMapping.id)]


def save_category_mapping(address: str, channel: str, rows: list[CategoryRow], *, create_missing: bool) -> None:
    inst = _instance(address)
    with database_proxy.atomic():
        CategoryMapping.delete().where((CategoryMapping.instance == inst) & (CategoryMapping.channel == channel)).execute()
        for r in rows:
            if r.category_code:
                CategoryMapping.create(instance=inst, channel=channel, store_category_id=r.store_category_id,
                                       store_category_name=r.store_category_name, category_code=r.category_code)
        key = f"categories_create_missing:{channel}"
        Setting.delete().where((Setting.instance == inst) & (Setting.key == key)).execute()
        Setting.create(instance=inst, key=key, value="1" if create_missing else "0")


def categories_create_missing(address: str, channel: str) -> bool:
    row = Setting.get_or_none(
        (Setting.instance == _instance(address)) & (Setting.key == f"categories_create_missing:{channel}")
    )
    return row is None or row.value == "1"

"""Loading a generated `Catalogue` into the UnoPim sandbox (the catalogue contract).

Everything is replaced except the OAuth clients. A 3.x sandbox stores variants the 3.x way (axes and SKU
only, the rest inherited from the parent); 1.x keeps the catalogue's full copies. Products get internal ids in the catalogue's list
order (products, then configurable products, from 1), which is the numbering the catalogue uses in
its media paths, so V3's `product/<id>/<attribute>/` check accepts them. Image bytes stay with the
catalogue and are produced on demand for `/storage/<path>`.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from unopim_desktop.sandbox.unopim.state import UnoPimState, format_timestamp, key_of

# Loaded rows look like an import made an hour ago, so any later write is strictly newer even at
# the one-second precision of UnoPim's timestamps.
LOAD_AGE = timedelta(hours=1)


def _merge_coded(existing: dict[str, dict[str, Any]], incoming: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The full seeded list (UnoPim ships every locale/currency) with the catalogue's rows and
    statuses; everything the catalogue does not activate is inactive. Ordered by code, as seeded."""
    rows = {k: {**v, "status": 0} for k, v in existing.items()}
    for row in incoming:
        rows[key_of(row["code"])] = copy.deepcopy(row)
    return {k: rows[k] for k in sorted(rows, key=lambda k: rows[k]["code"])}


def load_catalogue(state: UnoPimState, catalogue: Any) -> None:
    """Replace the state's data with `catalogue` (caller holds `state.lock`)."""
    state.reset_fresh_install()
    state.locales = _merge_coded(state.locales, catalogue.locales)
    state.currencies = _merge_coded(state.currencies, catalogue.currencies)
    state.channels = {key_of(c["code"]): copy.deepcopy(c) for c in catalogue.channels}
    state.attribute_groups = {key_of(g["code"]): copy.deepcopy(g) for g in catalogue.attribute_groups}
    state.attributes = {}
    for attr in catalogue.attributes:
        record = copy.deepcopy(attr)
        record.pop("options", None)
        state.attributes[key_of(attr["code"])] = record
    state.attribute_options = {key_of(k): copy.deepcopy(v) for k, v in catalogue.attribute_options.items()}
    state.families = {key_of(f["code"]): copy.deepcopy(f) for f in catalogue.families}
    _load_categories(state, catalogue.categories)
    _load_products(state, catalogue)
    state.storage.attach(catalogue)


def _load_categories(state: UnoPimState, categories: list[dict[str, Any]]) -> None:
    state.clear_categories()
    for cat in categories:
        # `labels` is a convenience of the catalogue; the API's category item has none.
        state.insert_category({k: v for k, v in cat.items() if k != "labels"})
        _register_category_fields(state, cat.get("additional_data") or {})


def _register_category_fields(state: UnoPimState, data: dict[str, Any]) -> None:
    """Make sure every field the catalogue's categories use exists as a category field."""
    seen: list[tuple[str, int]] = [(code, 0) for code in (data.get("common") or {})]
    for fields in (data.get("locale_specific") or {}).values():
        seen += [(code, 1) for code in (fields or {})]
    for code, per_locale in seen:
        if key_of(code) in state.category_fields:
            continue
        state.category_fields[key_of(code)] = {
            "code": code, "type": "text", "status": 1, "validation": None, "regex_pattern": None,
            "position": len(state.category_fields) + 1, "is_required": 0, "is_unique": 0,
            "value_per_locale": per_locale, "enable_wysiwyg": 0, "section": "left", "labels": {},
        }  # fmt: skip


def variant_values_3x(values: dict[str, Any], axes: list[str]) -> dict[str, Any]:
    """What UnoPim 3.x stores for a variant (`Configurable::createVariant`, #553): its axis options and its
    SKU; everything else is inherited from the parent when UnoPim displays it, and the REST API returns
    only these stored values (unopim-api.md §13.1)."""
    common = values.get("common") or {}
    return {"common": {**{a: common[a] for a in axes if a in common}, "sku": common.get("sku")}}


def _load_products(state: UnoPimState, catalogue: Any) -> None:
    stamp = format_timestamp((state.clock() - LOAD_AGE).replace(microsecond=0))
    parents: list[tuple[dict[str, Any], str]] = []
    axes_of = {c["sku"]: list(c.get("super_attributes") or []) for c in catalogue.configurable_products}
    for product in list(catalogue.products) + list(catalogue.configurable_products):
        values = product.get("values") or {}
        if product.get("parent") and state.version >= 3:
            values = variant_values_3x(values, axes_of.get(product["parent"], []))
        record = {
            "sku": product["sku"],
            "type": product.get("type") or "simple",
            "status": bool(product.get("status", True)),
            "parent_id": None,
            "family": product.get("family") or "default",
            # Shared with the catalogue, not copied: the sandbox never edits a stored `values` in
            # place (every write builds a new one), which keeps loading 100k products fast.
            "additional": product.get("additional"),
            "values": values,
            "super_attributes": list(product.get("super_attributes") or []),
            "links": {},
            "created_at": stamp,
            "updated_at": stamp,
        }
        state.insert_product(record)
        if product.get("parent"):
            parents.append((record, product["parent"]))
    for record, parent_sku in parents:
        parent = state.find_product(parent_sku)
        record["parent_id"] = parent["id"] if parent else None
    state.forget_variant_index()
    # The association rows mirror the legacy `values.associations` lists.
    for record in state.products.values():
        legacy = record["values"].get("associations") if isinstance(record["values"], dict) else None
        for section, skus in (legacy or {}).items():
            rows = []
            for sku in skus or []:
                related = state.find_product(sku)
                if related is not None:
                    rows.append({"related_id": related["id"], "additional_data": None})
            record["links"][section] = rows

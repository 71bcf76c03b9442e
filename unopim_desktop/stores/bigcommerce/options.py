"""BigCommerce variant options, variants and category-tree writes (store-apis B6, B7).

Variants need an option (Color) and its values (Red) on their product before they can be created,
so the axes are made first; new variants are then created one per call with `option_values` ids,
and existing ones updated in batches of ≤ 50. Categories are written parents first, and a category
whose name already exists under the same parent is adopted instead of duplicated.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from unopim_desktop.clients.errors import ApiError, AuthError, Conflict, Forbidden, NotFound, Validation
from unopim_desktop.domain import BatchResult, ItemResult, StoreCategory, StoreVariant, shorten
from unopim_desktop.stores.bigcommerce import payloads as bc
from unopim_desktop.stores.bigcommerce.api import BigCommerceApi

FATAL = (AuthError, Forbidden)
VARIANT_BATCH = 50
CATEGORY_BATCH = 50
OPTION_TYPE = "rectangles"  # a plain choice list; swatches would need colour values


@dataclass
class _Option:
    option_id: int
    values: dict[str, int] = field(default_factory=dict)  # label (lower case) -> value id


def _index_options(raw: list[dict[str, Any]]) -> dict[str, _Option]:
    out: dict[str, _Option] = {}
    for option in raw:
        if not isinstance(option.get("id"), int):
            continue
        entry = _Option(option["id"])
        for value in option.get("option_values") or []:
            if isinstance(value, dict) and isinstance(value.get("id"), int):
                entry.values[str(value.get("label") or "").lower()] = value["id"]
        out[str(option.get("display_name") or "").lower()] = entry
    return out


async def _ensure_axes(api: BigCommerceApi, product_id: int, variants: list[StoreVariant]
                       ) -> tuple[dict[str, _Option], dict[str, str]]:
    """Create missing options and option values; returns the options and, per axis, any error."""
    base = f"v3/catalog/products/{product_id}/options"
    options = _index_options(await api.list_all(base))
    wanted: dict[str, tuple[str, list[str]]] = {}
    for variant in variants:
        for axis, label in variant.axes.items():
            name, labels = wanted.setdefault(axis.lower(), (axis, []))
            if label not in labels:
                labels.append(label)
    errors: dict[str, str] = {}

    async def make_option(key: str, name: str, labels: list[str]) -> None:
        body = {"display_name": name, "type": OPTION_TYPE,
                "option_values": [{"label": label, "sort_order": i} for i, label in enumerate(labels)]}
        try:
            answer = await api.write_json("POST", base, body)
        except FATAL:
            raise
        except ApiError as exc:
            errors[key] = f"The option “{name}” could not be created: {bc.error_text(exc.body, exc.message)}"
            return
        data = answer.get("data") if isinstance(answer, dict) else None
        if isinstance(data, dict):
            options.update(_index_options([data]))

    async def add_value(key: str, option: _Option, label: str, sort_order: int) -> None:
        try:
            answer = await api.write_json("POST", f"{base}/{option.option_id}/values",
                                                  {"label": label, "sort_order": sort_order})
        except FATAL:
            raise
        except ApiError as exc:
            errors[key] = f"The value “{label}” could not be added: {bc.error_text(exc.body, exc.message)}"
            return
        data = answer.get("data") if isinstance(answer, dict) else None
        if isinstance(data, dict) and isinstance(data.get("id"), int):
            option.values[label.lower()] = data["id"]

    jobs = []
    for key, (name, labels) in wanted.items():
        option = options.get(key)
        if option is None:
            jobs.append(make_option(key, name, labels))
            continue
        start = len(option.values)
        missing = [label for label in labels if label.lower() not in option.values]
        jobs += [add_value(key, option, label, start + i) for i, label in enumerate(missing)]
    await asyncio.gather(*jobs)
    return options, errors


async def upsert_variants(api: BigCommerceApi, product_id: int, variants: list[StoreVariant]) -> BatchResult:
    result = BatchResult()
    creates = [v for v in variants if not v.store_id]
    updates = [v for v in variants if v.store_id]
    if creates:
        try:
            options, axis_errors = await _ensure_axes(api, product_id, creates)
        except NotFound as exc:
            text = f"The parent product #{product_id} is not in the store ({exc.message})"
            result.created = [ItemResult(key=v.sku, error=text, error_code="parent_missing", status=404)
                              for v in creates]
        else:
            result.created = list(await asyncio.gather(
                *(_create_variant(api, product_id, v, options, axis_errors) for v in creates)
            ))
    if updates:
        # With the updates of other products written at the same moment: 50 variants a request.
        result.updated = await api.variant_updates.submit(
            [(v.sku or f"#{v.store_id}", bc.variant_to_bc(v), product_id) for v in updates])
    return result


async def _create_variant(api: BigCommerceApi, product_id: int, variant: StoreVariant,
                          options: dict[str, _Option], axis_errors: dict[str, str]) -> ItemResult:
    key = variant.sku or "/".join(variant.axes.values())
    option_values = []
    for axis, label in variant.axes.items():
        if axis.lower() in axis_errors:
            return ItemResult(key=key, error=axis_errors[axis.lower()], error_code="option_failed", status=0)
        option = options.get(axis.lower())
        value_id = option.values.get(label.lower()) if option else None
        if option is None or value_id is None:
            return ItemResult(key=key, error=f"The option value {axis}: {label} is missing on the product",
                              error_code="option_failed", status=0)
        option_values.append({"option_id": option.option_id, "id": value_id})
    body = bc.variant_to_bc(variant, option_values=option_values)
    path = f"v3/catalog/products/{product_id}/variants"
    image_error = ""
    try:
        try:
            answer = await api.write_json("POST", path, body)
        except (Conflict, Validation) as exc:
            if not (body.get("image_url") and bc.image_refused(exc.body, exc.message)):
                raise
            image_error = bc.error_text(exc.body, exc.message)
            body.pop("image_url")
            answer = await api.write_json("POST", path, body)
    except FATAL:
        raise
    except Conflict as exc:
        text = bc.error_text(exc.body, exc.message)
        holder = (await api.find_products_by_sku([variant.sku])).get(variant.sku) if variant.sku else None
        same_product = holder is not None and holder.type == "variation" and holder.parent_store_id == product_id
        return ItemResult(key=key, store_id=holder.store_id if same_product and holder else None, error=text,
                          error_code="duplicate_sku" if holder is not None else "conflict", status=409)
    except ApiError as exc:
        return ItemResult(key=key, error=bc.error_text(exc.body, exc.message), error_code=exc.code or "invalid",
                          status=exc.status)
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, dict):
        return ItemResult(key=key, error="The store's answer has no variant", status=0)
    result = bc.saved(key, data)
    result.image_error = image_error
    return result


# --- category tree ------------------------------------------------------------------------------


def _key(category: StoreCategory) -> str:
    return category.slug or category.name


async def upsert_categories(api: BigCommerceApi, categories: list[StoreCategory]) -> BatchResult:
    """Categories of the channel's tree (adoption never reaches into another storefront's tree); a name
    longer than BigCommerce takes is shortened, and its answer says so."""
    tree_id = await api.tree_id()
    existing = {(c.name.strip().lower(), c.parent_store_id or 0): c.store_id
                for c in await api.list_categories() if c.store_id}
    notes = {_key(c): f"Its name is longer than BigCommerce's {bc.CATEGORY_NAME_MAX} characters; it was shortened "
                      f"to “{shorten(c.name, bc.CATEGORY_NAME_MAX)}”."
             for c in categories if shorten(c.name, bc.CATEGORY_NAME_MAX) != c.name}
    result = BatchResult()
    in_call = {_key(c) for c in categories}
    written: dict[str, int] = {}
    failed: set[str] = set()
    pending = list(categories)
    while pending:
        ready = [c for c in pending if not c.parent_key or c.parent_key not in in_call
                 or c.parent_key in written or c.parent_key in failed]
        if not ready:
            result.created += [ItemResult(key=_key(c), error="Its parent chain loops back to itself",
                                          error_code="parent_cycle", status=0) for c in pending]
            break
        ready_ids = {id(c) for c in ready}
        pending = [c for c in pending if id(c) not in ready_ids]
        creates: list[tuple[str, dict[str, Any]]] = []
        updates: list[tuple[str, dict[str, Any], str]] = []
        for c in ready:
            key = _key(c)
            if c.parent_key and c.parent_key in failed:
                failed.add(key)
                result.created.append(ItemResult(key=key, error=f"Its parent “{c.parent_key}” could not be written",
                                                 error_code="parent_failed", status=0))
                continue
            parent = (written.get(c.parent_key) if c.parent_key else None) or c.parent_store_id or 0
            name = shorten(c.name, bc.CATEGORY_NAME_MAX)
            adopt = existing.get((name.strip().lower(), parent)) if not c.store_id else None
            if adopt:
                body = bc.category_to_bc(c, parent_id=parent, tree_id=tree_id)
                body.pop("tree_id", None)
                body["category_id"] = adopt
                note = "A category of that name already existed there; it was adopted."
                updates.append((key, body, f"{note} {notes[key]}" if key in notes else note))
            elif c.store_id:
                updates.append((key, bc.category_to_bc(c, parent_id=parent, tree_id=tree_id), notes.get(key, "")))
            else:
                creates.append((key, bc.category_to_bc(c, parent_id=parent, tree_id=tree_id)))
        made, changed = await asyncio.gather(_create_categories(api, creates), _update_categories(api, updates))
        for r in made:
            if r.ok and r.key in notes:
                r.note = notes[r.key]
        for r in (*made, *changed):
            if r.ok and r.store_id:
                written[r.key] = r.store_id
            else:
                failed.add(r.key)
        result.created += made
        result.updated += changed
    return result


async def _create_categories(api: BigCommerceApi, items: list[tuple[str, dict[str, Any]]]) -> list[ItemResult]:
    async def chunk_call(chunk: list[tuple[str, dict[str, Any]]]) -> list[ItemResult]:
        try:
            answer = await api.write_json("POST", "v3/catalog/trees/categories", [b for _, b in chunk])
        except FATAL:
            raise
        except ApiError as exc:
            if len(chunk) > 1 and exc.status in (409, 422):
                parts = await asyncio.gather(*(chunk_call([item]) for item in chunk))
                return [r for part in parts for r in part]
            text = bc.error_text(exc.body, exc.message)
            return [ItemResult(key=k, error=text, error_code=exc.code or "invalid", status=exc.status) for k, _ in chunk]
        data = answer.get("data") if isinstance(answer, dict) else None
        made = {(str(d.get("name") or "").lower(), d.get("parent_id") or 0): d
                for d in data or [] if isinstance(d, dict)}
        problem = bc.error_text(answer.get("errors")) if isinstance(answer, dict) else ""
        out = []
        for key, body in chunk:
            saved = made.get((body["name"].lower(), body.get("parent_id") or 0))
            if saved is not None:
                out.append(ItemResult(key=key, store_id=saved.get("category_id") or saved.get("id")))
            else:
                out.append(ItemResult(key=key, error=problem or "Not created by the store", status=207))
        return out

    parts = await asyncio.gather(*(chunk_call(c) for c in bc.chunks(items, CATEGORY_BATCH)))
    return [r for part in parts for r in part]


async def _update_categories(api: BigCommerceApi, items: list[tuple[str, dict[str, Any], str]]
                             ) -> list[ItemResult]:
    async def chunk_call(chunk: list[tuple[str, dict[str, Any], str]]) -> list[ItemResult]:
        try:
            await api.write_json("PUT", "v3/catalog/trees/categories", [b for _, b, _ in chunk])
        except FATAL:
            raise
        except ApiError as exc:
            if len(chunk) > 1 and exc.status in (409, 422):
                parts = await asyncio.gather(*(chunk_call([item]) for item in chunk))
                return [r for part in parts for r in part]
            text = bc.error_text(exc.body, exc.message)
            return [ItemResult(key=k, store_id=b["category_id"], error=text, error_code=exc.code or "invalid",
                               status=exc.status) for k, b, _ in chunk]
        return [ItemResult(key=k, store_id=b["category_id"], note=note) for k, b, note in chunk]

    parts = await asyncio.gather(*(chunk_call(c) for c in bc.chunks(items, CATEGORY_BATCH)))
    return [r for part in parts for r in part]

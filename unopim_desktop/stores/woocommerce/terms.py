"""WooCommerce category and global-attribute writes (store-apis A8, A10, A11).

Categories are written parents first; global attributes are matched by slug or name before any
create, then their terms. A name that already exists (`term_exists`, with `data.resource_id`) is
adopted rather than reported as a failure; so is an attribute whose slug is taken (WooCommerce answers
`woocommerce_rest_cannot_create` "Slug … is already in use", store-apis.md Corrections).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from unopim_desktop.domain import (
    BatchResult,
    ItemResult,
    StoreAttribute,
    StoreCategory,
    StoreTerm,
    StoreTranslation,
)
from unopim_desktop.stores.woocommerce import payloads as wc
from unopim_desktop.stores.woocommerce.api import WooApi
from unopim_desktop.stores.woocommerce.translations import translation_ids, write_terms

API = "wc/v3"
ADOPTED = "already existed in the store; adopted"


def category_key(category: StoreCategory) -> str:
    return category.slug or category.name


async def _adopt_existing_terms(
    api: WooApi, path: str, part: BatchResult, payloads: dict[str, dict[str, Any]]
) -> None:
    """Turn `term_exists` create errors into updates of the existing term (same name, same parent)."""
    adopt = [r for r in part.created if r.error_code == "term_exists" and r.store_id]
    if not adopt:
        return
    updates = [("update", r.key, {**payloads[r.key], "id": r.store_id}) for r in adopt]
    outcome = await api.run_batches(path, updates)
    by_key = {r.key: r for r in outcome.updated}
    for r in adopt:
        done = by_key.get(r.key)
        if done is not None and done.ok:
            r.error, r.error_code, r.status = "", "", 200
            r.note = f"A term of that name {ADOPTED} (#{r.store_id})."
        elif done is not None:
            r.error, r.error_code, r.status = done.error, done.error_code, done.status


async def upsert_categories(api: WooApi, categories: list[StoreCategory]) -> BatchResult:
    """Write categories level by level so that a parent exists before its children.

    A child names a parent from the same call with `parent_key` (its slug or name); otherwise
    `parent_store_id` is used as given.
    """
    path = f"{API}/products/categories/batch"
    result = BatchResult()
    in_call = {category_key(c) for c in categories}
    written: dict[str, int] = {}
    failed: set[str] = set()
    pending = list(categories)
    while pending:
        ready = [c for c in pending if not c.parent_key or c.parent_key not in in_call
                 or c.parent_key in written or c.parent_key in failed]
        if not ready:  # the parent keys form a cycle
            for c in pending:
                result.created.append(ItemResult(key=category_key(c), error="Its parent chain loops back to itself",
                                                 error_code="parent_cycle", status=0))
            break
        ready_ids = {id(c) for c in ready}
        pending = [c for c in pending if id(c) not in ready_ids]
        items: list[tuple[str, str, Any]] = []
        payloads: dict[str, dict[str, Any]] = {}
        for c in ready:
            key = category_key(c)
            if c.parent_key and c.parent_key in failed:
                failed.add(key)
                result.created.append(ItemResult(key=key, error=f"Its parent “{c.parent_key}” could not be written",
                                                 error_code="parent_failed", status=0))
                continue
            parent = written.get(c.parent_key) if c.parent_key else None
            payload = wc.category_to_wc(c, parent or c.parent_store_id)
            payloads[key] = payload
            items.append(("update" if c.store_id else "create", key, payload))
        part = await api.run_batches(path, items)
        await _adopt_existing_terms(api, path, part, payloads)
        for r in (*part.created, *part.updated):
            if r.ok and r.store_id:
                written[r.key] = r.store_id
            else:
                failed.add(r.key)
        result.created += part.created
        result.updated += part.updated
    return result


# --- global attributes and their terms ----------------------------------------------------------


def _index(raw: Any) -> tuple[dict[str, StoreAttribute], dict[str, StoreAttribute]]:
    existing = [wc.attribute_from_wc(a) for a in raw or [] if isinstance(a, dict)]
    return {a.slug: a for a in existing if a.slug}, {a.name.strip().lower(): a for a in existing}


def _match(attribute: StoreAttribute, by_slug: dict[str, StoreAttribute], by_name: dict[str, StoreAttribute]) -> StoreAttribute | None:
    if attribute.store_id:
        for found in by_slug.values():
            if found.store_id == attribute.store_id:
                return found
    if attribute.slug and wc.attribute_slug(attribute.slug) in by_slug:
        return by_slug[wc.attribute_slug(attribute.slug)]
    return by_name.get(attribute.name.strip().lower())


async def upsert_attributes(api: WooApi, attributes: list[StoreAttribute], *, default_language: str = ""
                            ) -> BatchResult:
    """Global attributes by slug or name, then their terms.

    Results: one item per attribute keyed by its name, and one per term keyed `"<attribute>/<term>"`;
    `created` for what was written new, `updated` for what already existed (nothing is renamed).
    """
    result = BatchResult()
    by_slug, by_name = _index(await api.get_json(f"{API}/products/attributes"))
    resolved: dict[str, int] = {}
    missing: list[StoreAttribute] = []
    for attribute in attributes:
        found = _match(attribute, by_slug, by_name)
        if found is not None and found.store_id:
            resolved[attribute.name] = found.store_id
            result.updated.append(ItemResult(key=attribute.name, store_id=found.store_id, note=ADOPTED))
        else:
            missing.append(attribute)
    if missing:
        items = [("create", a.name, wc.attribute_to_wc(a)) for a in missing]
        part = await api.run_batches(f"{API}/products/attributes/batch", items)
        if any(not r.ok for r in part.created):
            # Created meanwhile, or a slug WooCommerce sanitizes into one that exists: it answers
            # `woocommerce_rest_cannot_create` 'Slug "x" is already in use.' (its REST controller wraps
            # every `wc_create_attribute` error so). List again; the slug it names decides.
            by_slug, by_name = _index(await api.get_json(f"{API}/products/attributes"))
        for attribute, r in zip(missing, part.created, strict=True):
            taken = _taken_slug(r) if not r.ok else None
            found = (by_slug.get(taken) if taken else None) or (_match(attribute, by_slug, by_name) if not r.ok else None)
            if found is not None and found.store_id:
                r.store_id, r.error, r.error_code, r.status, r.note = found.store_id, "", "", 200, ADOPTED
            if r.ok and r.store_id:
                resolved[attribute.name] = r.store_id
        result.created += part.created
    term_parts = await asyncio.gather(
        *(_upsert_terms(api, a, resolved[a.name], default_language=default_language) for a in attributes if a.name in resolved and a.terms)
    )
    for part in term_parts:
        result.created += part.created
        result.updated += part.updated
    return result


def _taken_slug(result: ItemResult) -> str:
    """The slug a failed attribute create says is in use ("" when it says something else)."""
    match = re.search(r'Slug "([^"]+)" is already in use', result.error)
    return wc.attribute_slug(match.group(1)) if match else ""


async def _upsert_terms(api: WooApi, attribute: StoreAttribute, attribute_id: int, *, default_language: str = ""
                        ) -> BatchResult:
    """The attribute's terms by slug or name; with WPML (`default_language`), then their translations."""
    base = f"{API}/products/attributes/{attribute_id}/terms"
    # With WPML, every language at once: the originals to match, and the translations they already have.
    raw_terms = await api.list_all(base, {"orderby": "id", **({"lang": "all"} if default_language else {})})
    originals = [t for t in raw_terms if not default_language or str(t.get("lang") or default_language) == default_language]
    names = {t["id"]: wc.term_from_wc(t).name for t in raw_terms if isinstance(t.get("id"), int)}
    existing = [wc.term_from_wc(t) for t in originals]
    held = {t["id"]: translation_ids(t, default_language) for t in originals if isinstance(t.get("id"), int)}
    by_name = {t.name.strip().lower(): t for t in existing}
    by_slug = {t.slug: t for t in existing if t.slug}
    result = BatchResult()
    creates: list[tuple[str, str, Any]] = []
    payloads: dict[str, dict[str, Any]] = {}
    for term in attribute.terms:
        key = f"{attribute.name}/{term.name}"
        found: StoreTerm | None = by_slug.get(term.slug) if term.slug else None
        found = found or by_name.get(term.name.strip().lower())
        if found is not None and found.store_id:
            result.updated.append(ItemResult(key=key, store_id=found.store_id, note=ADOPTED))
            continue
        payload = wc.term_to_wc(StoreTerm(name=term.name, slug=term.slug))
        payloads[key] = payload
        creates.append(("create", key, payload))
    if creates:
        part = await api.run_batches(f"{base}/batch", creates)
        for r in part.created:
            if r.error_code == "term_exists" and r.store_id:
                r.error, r.error_code, r.status = "", "", 200
                r.note = f"A term of that name {ADOPTED} (#{r.store_id})."
        result.created += part.created
    if default_language and any(t.translations for t in attribute.terms):
        answers = {r.key: r for r in (*result.created, *result.updated)}
        items = []
        for term in attribute.terms:
            r = answers.get(f"{attribute.name}/{term.name}")
            if r is None or not r.ok or not r.store_id or not term.translations:
                continue
            have = held.get(r.store_id, {})
            texts = {lang: StoreTranslation(name=t.name, store_id=have.get(lang),
                                            changed=names.get(have.get(lang, 0), "").strip() != t.name.strip())
                     for lang, t in term.translations.items()}
            items.append((r.store_id, texts, have, r))
        await write_terms(api, base, items)
    return result

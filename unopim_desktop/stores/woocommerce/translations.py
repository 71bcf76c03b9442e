"""WPML translations over wc/v3 (i18n.md A2–A5): reading them next to their originals and writing them.

A translation is its own product or term, written one request each with `lang` and `translation_of` (the
batch endpoints switch no language per item); it never carries SKU, prices or stock, which WCML copies
from the original. An existing translation (the original's `translations` map names it) is updated in
place, never created twice. WCML makes a variable product's translated variations itself; they are read
back for their ids, not written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from unopim_desktop.clients.errors import ApiError, AuthError, Forbidden
from unopim_desktop.domain import ItemResult, StoreCategory, StoreProduct, StoreTranslation

API = "wc/v3"
INCLUDE_MAX = 100
FATAL = (AuthError, Forbidden)


def translation_ids(raw: dict[str, Any], own: str) -> dict[str, int]:
    """The other languages' ids in an object's `translations` map (which holds the object itself)."""
    out: dict[str, int] = {}
    for lang, value in (raw.get("translations") or {}).items():
        if lang != own and str(value).isdigit():
            out[str(lang)] = int(value)
    return out


async def fetch(api: Any, path: str, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Objects by id in any language (`include=` without `lang` would be rewritten to the default's ids)."""
    wanted = sorted(set(ids))
    found: dict[int, dict[str, Any]] = {}

    async def one(chunk: list[int]) -> None:
        items = await api.get_json(path, {"include": ",".join(map(str, chunk)), "lang": "all",
                                          "per_page": INCLUDE_MAX})
        for item in items or []:
            if isinstance(item, dict) and isinstance(item.get("id"), int):
                found[item["id"]] = item

    await asyncio.gather(*(one(wanted[i:i + INCLUDE_MAX]) for i in range(0, len(wanted), INCLUDE_MAX)))
    return found


def texts(raw: dict[str, Any], store_id: int) -> StoreTranslation:
    return StoreTranslation(name=str(raw.get("name") or ""), description=str(raw.get("description") or ""),
                            short_description=str(raw.get("short_description") or ""), store_id=store_id,
                            date_modified_gmt=str(raw.get("date_modified_gmt") or ""))


async def attach(api: Any, pairs: list[tuple[StoreProduct, dict[str, Any]]], languages: tuple[str, ...]) -> None:
    """Fill each product's `translations` (the wanted languages) from its raw answer's map: one read per
    hundred translations."""
    wanted = [(p, lang, tid) for p, raw in pairs for lang, tid in translation_ids(raw, p.lang).items()
              if lang in languages]
    if not wanted:
        return
    found = await fetch(api, f"{API}/products", (tid for _p, _l, tid in wanted))
    for product, lang, tid in wanted:
        if tid in found:
            product.translations[lang] = texts(found[tid], tid)


def _product_body(product: StoreProduct, lang: str, text: StoreTranslation, meta: list[dict[str, Any]]
                  ) -> dict[str, Any]:
    body: dict[str, Any] = {"name": text.name, "description": text.description,
                            "short_description": text.short_description, "status": product.status, "lang": lang}
    if meta:
        body["meta_data"] = meta  # CURCY's prices: nothing copies them into a translation
    return body


async def write_products(api: Any, pairs: list[tuple[StoreProduct, ItemResult]], meta_of: Any) -> None:
    """Each product's changed translations, after the original was written (`meta_of(product)`: price meta a
    translation must carry too). Results land in the product's `ItemResult`."""
    async def one(product: StoreProduct, result: ItemResult, lang: str, text: StoreTranslation) -> None:
        if not text.changed and text.store_id:
            result.translation_ids[lang] = text.store_id
            return
        body = _product_body(product, lang, text, meta_of(product))
        try:
            if text.store_id:
                answer = await api.write_json("PUT", f"{API}/products/{text.store_id}", body)
            else:
                answer = await api.write_json("POST", f"{API}/products",
                                                  {**body, "type": product.type, "translation_of": result.store_id})
        except FATAL:
            raise
        except ApiError as exc:
            result.translation_errors[lang] = exc.message or f"HTTP {exc.status}"
            return
        result.translation_ids[lang] = int(answer["id"]) if isinstance(answer, dict) else 0

    await asyncio.gather(*(one(p, r, lang, text) for p, r in pairs if r.ok and r.store_id
                           for lang, text in p.translations.items()))


async def write_terms(api: Any, base: str, items: list[tuple[int, dict[str, StoreTranslation], dict[str, int],
                                                              ItemResult]], parents: dict[int, dict[str, int]] | None = None
                      ) -> None:
    """Term translations: (original id, texts by language, the translations it already has, its result);
    `parents` (categories): original id -> its parent's translations, so each sits under its own."""
    async def one(original: int, lang: str, text: StoreTranslation, existing: dict[str, int],
                  result: ItemResult) -> None:
        body: dict[str, Any] = {"name": text.name, "lang": lang}
        if text.description:
            body["description"] = text.description
        if parents is not None:
            body["parent"] = (parents.get(original) or {}).get(lang, 0)
        tid = text.store_id or existing.get(lang)
        if tid and not text.changed:
            result.translation_ids[lang] = tid
            return
        try:
            answer = await (api.write_json("PUT", f"{base}/{tid}", body) if tid else
                            api.write_json("POST", base, {**body, "translation_of": original}))
        except FATAL:
            raise
        except ApiError as exc:
            result.translation_errors[lang] = exc.message or f"HTTP {exc.status}"
            return
        result.translation_ids[lang] = int(answer["id"]) if isinstance(answer, dict) else 0

    await asyncio.gather(*(one(orig, lang, text, existing, result) for orig, by_lang, existing, result in items
                           for lang, text in by_lang.items()))


async def write_categories(api: Any, categories: list[StoreCategory], results: dict[str, ItemResult],
                           key_of: Any) -> None:
    """Category translations after the originals (a level at a time, so a translated parent exists before its
    children's translations). The originals' and their parents' maps are read first: a translation a run that
    stopped never recorded is updated, not created again, and each sits under its parent's translation."""
    pending = [(c, results.get(key_of(c))) for c in categories if c.translations]
    pending = [(c, r) for c, r in pending if r is not None and r.ok and r.store_id]
    if not pending:
        return
    originals = {r.store_id: c for c, r in pending if r.store_id}
    found = await fetch(api, f"{API}/products/categories", set(originals))
    parent_ids = {int(raw.get("parent") or 0) for raw in found.values()} - {0}
    found.update(await fetch(api, f"{API}/products/categories", parent_ids - set(found)) if parent_ids - set(found)
                 else {})
    held = {i: translation_ids(raw, str(raw.get("lang") or "")) for i, raw in found.items()}
    parents = {i: held.get(int(found[i].get("parent") or 0), {}) for i in originals if i in found}
    items = []
    for category, result in pending:
        assert result.store_id is not None
        items.append((result.store_id, category.translations, held.get(result.store_id, {}), result))
    await write_terms(api, f"{API}/products/categories", items, parents)


async def translated_variations(api: Any, product_id: int, known: dict[str, int] | None) -> dict[str, dict[str, int]]:
    """SKU -> language -> the id of WCML's translated copy of each variation of `product_id`."""
    if known is None:
        raw = await api.get_json(f"{API}/products/{product_id}", {"_fields": "id,lang,translations"})
        known = translation_ids(raw or {}, str((raw or {}).get("lang") or ""))
    out: dict[str, dict[str, int]] = {}

    async def one(lang: str, tid: int) -> None:
        for item in await api.list_all(f"{API}/products/{tid}/variations", {"orderby": "id", "order": "asc"}):
            sku = str(item.get("sku") or "")
            if sku and isinstance(item.get("id"), int):
                out.setdefault(sku, {})[lang] = item["id"]

    await asyncio.gather(*(one(lang, tid) for lang, tid in known.items()))
    return out

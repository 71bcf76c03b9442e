"""Pull: the links of translations the store keeps as objects of their own (WPML posts: products and the
variations WCML copies), so that a re-run or a resume updates them instead of creating them again, and a
deleted product takes them along. Each refused translation is a Logs row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from unopim_desktop.domain import ItemResult, StoreProduct
from unopim_desktop.state.sync_repo import LinkWrite
from unopim_desktop.sync.job import TRANSLATION_KIND, JobPart, translation_code
from unopim_desktop.sync.merge import PRICED, TRANSLATED, fields_of

if TYPE_CHECKING:
    from unopim_desktop.sync.pull.job import PullJob


class PullTranslations(JobPart):
    job: PullJob

    def known(self, sku: str, product: StoreProduct) -> None:
        """Each translation's store id from its link (a product linked before)."""
        for lang, text in product.translations.items():
            link = self.job.link(TRANSLATION_KIND, translation_code("product", sku, lang))
            if link is not None and text.store_id is None:
                text.store_id = link.store_id

    @staticmethod
    def adopt(product: StoreProduct, found: StoreProduct) -> None:
        """A product adopted by SKU keeps the translations the store already has for it."""
        for lang, text in product.translations.items():
            held = found.translations.get(lang)
            if held is not None and held.store_id:
                text.store_id = held.store_id

    def written(self, kind: str, sku: str, r: ItemResult) -> list[LinkWrite]:
        """The links of an entity's translations as the store answered, each refusal logged."""
        for lang, why in r.translation_errors.items():
            self.run.count("translation", "failed")
            self.run.log(f"The {lang} translation of {kind} {sku} was not written: {why}", level="error",
                         entity_kind=kind, entity=sku, action="failed", server_text=why)
        self.refused_prices(kind, sku, r)
        return [LinkWrite(TRANSLATION_KIND, translation_code(kind, sku, lang), tid, parent_code=sku)
                for lang, tid in r.translation_ids.items() if tid]

    def synced_hash(self, sku: str, h: str, r: ItemResult) -> str:
        """The content hash to record for an item the store saved: none ("") when it refused a translation or
        a price, and the item goes on the retry list, so the next run reads it, compares and writes it again
        instead of taking it for synced (the refused part would otherwise wait until UnoPim changed it)."""
        if not (r.translation_errors or r.price_errors):
            return h
        self.job.state.retry.add(sku)
        return ""

    @staticmethod
    def synced_base(base: dict[str, Any] | None, r: ItemResult, held: Any = None) -> dict[str, Any] | None:
        """The field base to record for an item the store saved: a refused translation's or price's fields
        as the store still holds them (`held`: its copy before the write; none for a create), not as they
        were sent, so the next pull sees UnoPim's value as a change to write (sent, they would read as
        agreed, and the store's gap as the store's own edit to keep) and a push finds no store edit."""
        if base is None or not (r.translation_errors or r.price_errors):
            return base
        store = fields_of(held) if held is not None else {}
        keys = [f"{name}@{lang}" for lang in r.translation_errors for name in TRANSLATED]
        keys += [f"{name}@{currency}" for currency in r.price_errors for name in PRICED]
        return {**base, **{key: store.get(key, "") for key in keys}}

    def refused_prices(self, kind: str, sku: str, r: ItemResult) -> None:
        """A Logs row for each other currency the store refused for the item (its price list's answer)."""
        for currency, why in r.price_errors.items():
            self.run.count("price", "failed")  # the run is partial, and its summary says which
            self.run.log(f"The {currency} price of {kind} {sku} was not written: {why}", level="error",
                         entity_kind=kind, entity=sku, action="failed", server_text=why)

    async def variations(self, parent_sku: str, parent_id: int, skus: list[str]) -> list[LinkWrite]:
        """Link WCML's translated copies of the variations of a parent that has translations, where a link is
        missing (the parent's translation or its variations are new). Nothing is written: WCML makes them."""
        languages = [lang for lang in self.job.reach.languages
                     if self.job.link(TRANSLATION_KIND, translation_code("product", parent_sku, lang))]
        missing = [sku for sku in skus for lang in languages
                   if not self.job.link(TRANSLATION_KIND, translation_code("variant", sku, lang))]
        if not missing or self.job.options.dry_run:
            return []
        found: dict[str, dict[str, int]] = await self.job.adapter.translated_variations(parent_id)
        writes = []
        for sku in dict.fromkeys(missing):
            for lang, tid in (found.get(sku) or {}).items():
                if lang in languages:
                    writes.append(LinkWrite(TRANSLATION_KIND, translation_code("variant", sku, lang), tid,
                                            parent_code=sku))
        return writes


def changed_translations(written: Any, obj: StoreProduct, store: StoreProduct, write: set[str],
                         prices_per_language: bool) -> bool:
    """Mark each translation of `written` changed or not (the adapter writes only the changed ones), keep
    only the languages UnoPim gives, and restore one the store lost (deleted there since both agreed: it is
    written again whole). True when something must be written for the translations."""
    if not isinstance(written, StoreProduct):
        return False
    written.translations = {lang: t for lang, t in written.translations.items() if lang in obj.translations}
    price_changed = prices_per_language and any("@" in f and f.split("@", 1)[0] in ("regular_price", "sale_price")
                                                for f in write)
    lost = False
    for lang, mine in obj.translations.items():
        if lang not in store.translations:
            written.translations[lang] = type(mine)(mine.name, mine.description, mine.short_description)
            lost = True
            continue
        text = written.translations[lang]
        text.changed = price_changed or any(f.endswith(f"@{lang}") and f.split("@", 1)[0] in (
            "name", "description", "short_description") for f in write)
    return lost

"""Push: write into UnoPim only the fields the store changed since both sides last agreed (the link's
base), and leave UnoPim's own edits alone; a field both changed is a conflict (see `sync.merge`)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from unopim_desktop.state.sync_repo import LinkWrite
from unopim_desktop.sync.changes import content_hash
from unopim_desktop.sync.fields import FieldBases
from unopim_desktop.sync.merge import PUSH, apply_fields, fields_of

if TYPE_CHECKING:
    from unopim_desktop.state.sync_repo import LinkRow
    from unopim_desktop.sync.push.job import PushJob


class PushFields(FieldBases):
    job: PushJob
    side = PUSH

    async def effective(self, kind: str, code: str, store: Any, shown: Any, link: LinkRow | None
                        ) -> tuple[Any, dict[str, Any] | None]:
        """The store's record as the push should compare it with UnoPim: its own values in the fields the
        store changed since the base, UnoPim's (`shown`, as the store would show them) in the others; and the
        base after the push. A record not linked yet is compared whole (and gets its base from it)."""
        _unheld_as_shown(store, shown)
        if link is None:
            return store, fields_of(store)
        base = (await self.bases(kind, [code])).get(code)
        if base is None:
            # From before schema 5. UnoPim unchanged since the last sync: its values are what both agreed on.
            # Otherwise that is not known; the store's values stand for it, so nothing of UnoPim's newer
            # edits is reverted (the next pull carries them into the store).
            unchanged = bool(link.content_hash) and link.content_hash == content_hash(shown)
            base = fields_of(shown) if unchanged else fields_of(store)
            self.established += 1
        merged = self.merge(kind, code, base, store, shown)
        keep_unopims = (set(fields_of(store)) | set(fields_of(shown))) - merged.write
        return apply_fields(store, shown, keep_unopims), merged.base

    async def agreed(self, product: Any, variants: list[Any], parent_sku: str = "") -> list[LinkWrite]:
        """Bases for a product (and its variations) the push leaves alone, unchanged since the last sync, when
        their links have none yet (from before schema 5): the store shows what both sides last agreed on.
        Without them, whether a link got its base depended on the second the pull's write fell in.
        `product` None: variations alone (of `parent_sku`, which the push compared)."""
        job = self.job
        if not self.missing or job.options.dry_run:
            return []
        parent = parent_sku or product.sku
        records = [("product", product, "")] if product is not None else []
        records += [("variant", v, parent) for v in variants if v.sku]
        records = [(kind, obj, parent) for kind, obj, parent in records
                   if obj.store_id is not None and job.link(kind, obj.sku) is not None]
        have = {kind: await self.bases(kind, [obj.sku for k, obj, _ in records if k == kind])
                for kind in ("product", "variant")}
        writes = [LinkWrite(kind, obj.sku, obj.store_id, parent_code=parent, base=fields_of(obj))
                  for kind, obj, parent in records if have[kind].get(obj.sku) is None]
        self.established += len(writes)
        return writes


def _unheld_as_shown(store: Any, shown: Any) -> None:
    """A translation or currency UnoPim has but the store does not (deleted there, or never written) says
    nothing the merchant typed: it counts as UnoPim's, so nothing of UnoPim's is cleared by it."""
    for lang, text in getattr(shown, "translations", {}).items():
        if hasattr(store, "translations") and lang not in store.translations:
            store.translations[lang] = copy.deepcopy(text)
    for currency, price in getattr(shown, "prices", {}).items():
        if currency not in store.prices:
            store.prices[currency] = copy.deepcopy(price)

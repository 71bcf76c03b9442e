"""Pull: write into the store only the fields UnoPim changed since both sides last agreed (the link's
base), and leave the store's own edits alone; a field both changed is a conflict (see `sync.merge`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from unopim_desktop.state.sync_repo import LinkWrite
from unopim_desktop.sync.fields import FieldBases
from unopim_desktop.sync.merge import PULL, apply_fields, fields_of
from unopim_desktop.sync.pull.translations import changed_translations

if TYPE_CHECKING:
    from unopim_desktop.sync.pull.job import PullJob

# (SKU, the product or variation UnoPim's values make, its content hash, its images)
Pending = tuple[str, Any, str, Any]


class PullFields(FieldBases):
    job: PullJob
    side = PULL

    def __init__(self, job: Any) -> None:
        super().__init__(job)
        # Written, but with store edits left in place: no "the pull wrote it" stamp for these, so the push
        # compares them (its shortcut for records the pull wrote would skip those edits).
        self.store_edits_kept: set[str] = set()

    def base_after(self, obj: Any) -> dict[str, Any]:
        return fields_of(obj)

    async def establish(self, kind: str, code: str, store_id: int, obj: Any) -> list[LinkWrite]:
        """An unchanged entity whose link has no base yet (from before schema 5): its base, no write."""
        if not self.missing or self.job.options.dry_run:
            return []
        self.established += 1
        return [LinkWrite(kind, code, store_id, base=fields_of(obj))]

    async def merge_updates(self, kind: str, pending: list[Pending], current: dict[str, Any]
                            ) -> tuple[list[Pending], list[LinkWrite], dict[str, dict[str, Any]]]:
        """The updates of a batch against their bases and the store's current values (`current`, by SKU):
        what to write (each object carrying the store's own values in the fields UnoPim did not change),
        the links of those with nothing to write, and the base each written one will have."""
        job = self.job
        linked = [sku for sku, obj, _, _ in pending if obj.store_id and job.link(kind, sku) is not None]
        bases = await self.bases(kind, linked)
        out: list[Pending] = []
        writes: list[LinkWrite] = []
        after: dict[str, dict[str, Any]] = {}
        for item in pending:
            sku, obj, h, images = item
            store = current.get(sku)
            if sku not in linked or store is None:
                out.append(item)  # a create, an adoption, or the store's copy is gone: written whole
                after[sku] = fields_of(obj)
                continue
            base = bases.get(sku)
            if base is None:  # from before schema 5: the store's values stand for what both agreed on
                base = fields_of(store)
                self.established += 1
            merged = self.merge(kind, sku, base, obj, store)
            # A translation UnoPim gives that the store no longer has (deleted there): written again.
            lost = any(lang not in getattr(store, "translations", {}) for lang in getattr(obj, "translations", {}))
            if merged.empty and not lost and getattr(obj, "image", None) is None:
                self.run.count(kind, "unchanged")
                writes.append(LinkWrite(kind, sku, obj.store_id, content_hash=h, base=merged.base))
                if kind == "product":
                    await self.job.products.images.queue("product", sku, obj.store_id, images)
                continue
            written = apply_fields(store, obj, merged.write)
            written.store_id = obj.store_id
            if kind == "product":
                written.images, written.type = [], obj.type  # images travel apart; the type is UnoPim's
                changed_translations(written, obj, store, merged.write, job.caps.prices_per_language)
            else:
                written.image = obj.image  # a variation's image travels with it (None: leave the store's)
            out.append((sku, written, h, images))
            after[sku] = merged.base
            if any(merged.base.get(k, v) != v for k, v in fields_of(written).items()):
                self.store_edits_kept.add(sku)
        return out, writes, after

"""Pull step 12: each product's upsells and cross-sells, as store ids, once both ends are in the store
(set after the products and variants, so an association names products the run has just created)."""

from __future__ import annotations

import asyncio
from typing import Any

from unopim_desktop.state.sync_repo import LinkWrite
from unopim_desktop.sync.changes import association_hash
from unopim_desktop.sync.job import JobPart
from unopim_desktop.sync.pull.images import ImageTransfer, answers_by_key

ASSOCIATION_PART = 1000  # associations set per part (a multiple of a store batch, 100)


class PullAssociations(JobPart):
    def __init__(self, job: Any, images: ImageTransfer) -> None:
        super().__init__(job)
        self.images = images

    async def step(self) -> None:
        # A store saves whole products: an image update in flight on the same product would write back
        # the old upsells. Let the image worker finish what is queued first.
        await self.images.join()
        items, hashes, fresh = [], {}, set()
        self.run.step_total("associations", sum(1 for sku in self.job.state.associations
                                                if self.job.link("product", sku) is not None))
        for n, (sku, (ups, cross)) in enumerate(self.job.state.associations.items()):
            if n % 500 == 499:
                await asyncio.sleep(0)  # hashing every product at once held the event loop (and the window)
            link = self.job.link("product", sku)
            if link is None:
                continue
            up_ids = [self.job.link("product", s).store_id for s in ups if self.job.link("product", s)]
            cross_ids = [self.job.link("product", s).store_id for s in cross if self.job.link("product", s)]
            missing = [s for s in (*ups, *cross) if not self.job.link("product", s)]
            if missing:
                self.run.log(f"Product {sku}: associated SKUs not in the store yet: {', '.join(missing[:5])}",
                             level="warning", entity_kind="association", entity=sku)
            h = association_hash(up_ids, cross_ids, one_list=self.job.adapter.one_association_list)
            current = self.job.link("association", sku)
            if (current and current.content_hash == h) or (not current and not up_ids and not cross_ids):
                self.run.count("association", "unchanged")
                self.run.advance("associations")
                continue
            items.append((sku, link.store_id, up_ids, cross_ids))
            hashes[sku] = h
            if current is None:
                fresh.add(sku)  # set for the first time: created, not updated
        if not items:
            return
        if self.job.options.dry_run:
            for sku, _, ups, cross in items:
                self.run.log(f"dry-run: would set {len(ups)} upsell(s) and {len(cross)} cross-sell(s) on {sku}",
                             entity_kind="association", entity=sku, action="would set")
                self.run.count("association", "created" if sku in fresh else "updated")
            self.run.advance("associations", len(items))
            return
        # A part at a time, committed and its Logs rows flushed: all at once held every answer, link write
        # and Logs row of the step together (tens of thousands on a large catalogue), the run's peak memory.
        for start in range(0, len(items), ASSOCIATION_PART):
            await self._set_associations(items[start:start + ASSOCIATION_PART], hashes, fresh)
            await self.run.flush_logs()

    async def _set_associations(self, items: list[tuple[str, int, list[int], list[int]]], hashes: dict[str, str],
                                fresh: set[str]) -> None:
        answers = answers_by_key(await self.job.adapter.set_associations(items))
        writes = []
        for sku, pid, _, _ in items:
            r = answers.get(sku)
            if r is not None and r.ok:
                writes.append(LinkWrite("association", sku, pid, content_hash=hashes[sku], pulled=True))
                outcome = "created" if sku in fresh else "updated"
                self.run.wrote("association", sku, outcome, f"Upsells and cross-sells of {sku} {outcome}.")
            else:
                self.run.failed_item("association", sku, f"Associations of {sku} could not be set: "
                                     f"{r.error if r else 'no answer'}", status=r.status if r else None,
                                     server_text=r.error if r else "")
        await self.job.commit(writes)
        self.run.advance("associations", len(items))

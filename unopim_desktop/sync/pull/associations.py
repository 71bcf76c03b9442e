"""Pull step 12: associations (up-sells and cross-sells), once every product of the run has its store id."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from unopim_desktop.state.sync_repo import LinkWrite
from unopim_desktop.sync.changes import association_hash
from unopim_desktop.sync.pull.images import answers_by_key

if TYPE_CHECKING:
    from unopim_desktop.sync.pull.products import ProductSteps


async def write_associations(steps: ProductSteps) -> None:
    # A store saves whole products: an image update in flight on the same product would write back
    # the old upsells. Let the image worker finish what is queued first.
    await steps.images.join()
    items, hashes = [], {}
    for n, (sku, (ups, cross)) in enumerate(steps.job.state.associations.items()):
        if n % 500 == 499:
            await asyncio.sleep(0)  # hashing every product at once held the event loop (and the window)
        link = steps.job.link("product", sku)
        if link is None:
            continue
        up_ids = [steps.job.link("product", s).store_id for s in ups if steps.job.link("product", s)]
        cross_ids = [steps.job.link("product", s).store_id for s in cross if steps.job.link("product", s)]
        missing = [s for s in (*ups, *cross) if not steps.job.link("product", s)]
        if missing:
            steps.run.log(f"Product {sku}: associated SKUs not in the store yet: {', '.join(missing[:5])}",
                         level="warning", entity_kind="association", entity=sku)
        h = association_hash(up_ids, cross_ids, one_list=steps.job.adapter.one_association_list)
        current = steps.job.link("association", sku)
        if (current and current.content_hash == h) or (not current and not up_ids and not cross_ids):
            steps.run.count("association", "unchanged")
            continue
        items.append((sku, link.store_id, up_ids, cross_ids))
        hashes[sku] = h
    steps.run.step_total("associations", len(items))
    if not items:
        return
    if steps.job.options.dry_run:
        for sku, _, ups, cross in items:
            steps.run.log(f"dry-run: would set {len(ups)} upsell(s) and {len(cross)} cross-sell(s) on {sku}",
                         entity_kind="association", entity=sku)
            steps.run.count("association", "updated")
        return
    result = await steps.job.adapter.set_associations(items)
    answers = answers_by_key(result)
    writes = []
    for sku, pid, _, _ in items:
        r = answers.get(sku)
        if r is not None and r.ok:
            writes.append(LinkWrite("association", sku, pid, content_hash=hashes[sku], pulled=True))
            steps.run.count("association", "updated")
        else:
            steps.run.count("association", "failed")
            steps.run.log(f"Associations of {sku} could not be set: {r.error if r else 'no answer'}",
                         level="error", entity_kind="association", entity=sku)
    await steps.job.commit(writes)
    steps.run.advance("associations", len(items))

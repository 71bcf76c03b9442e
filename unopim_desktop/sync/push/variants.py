"""Push step: a configurable product's variants, once the product itself is written (a part of
`ProductPush`).

UnoPim 3.x: a variant stores only its axis values and SKU and inherits everything else from its parent
(unopim-api §13.1); a value written into the variant is an override that stops the inheritance. So a
variant's fragment is built against what UnoPim *shows* for it (its stored values over its parent's,
`resolve_chain`): a store value equal to the inherited one is never written, only what the merchant made
different for this variant. A new variant is compared with what it would inherit. 1.x/2.x variants are
full copies and are compared with what they store.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from unopim_desktop.clients.errors import ApiError
from unopim_desktop.domain import StoreVariant
from unopim_desktop.state.sync_repo import LinkWrite
from unopim_desktop.sync.changes import content_hash, value_changes
from unopim_desktop.sync.job import FATAL, JobPart
from unopim_desktop.sync.push.gates import in_cooldown_reason, untouched_since_pull
from unopim_desktop.sync.transform.to_store import variant_to_store
from unopim_desktop.sync.transform.to_unopim import (
    Fragment,
    Unmappable,
    apply_fragment,
    variant_axes,
    variant_fragment,
)
from unopim_desktop.sync.transform.values import resolve_chain

if TYPE_CHECKING:
    from unopim_desktop.sync.push.job import PushJob
    from unopim_desktop.sync.push.products import ProductPush

Values = Mapping[str, Any]


def shown(item: dict[str, Any] | None, parent_values: Values | None) -> dict[str, Any] | None:
    """The variant as UnoPim shows it: its stored values over its parent's (3.x; `parent_values` None:
    nothing is inherited)."""
    if item is None or parent_values is None:
        return item
    return {**item, "values": resolve_chain([parent_values, item.get("values") or {}])}


class VariantPush(JobPart):
    job: PushJob

    def __init__(self, job: PushJob, products: ProductPush) -> None:
        super().__init__(job)
        self.products = products  # its in-flight slots, UnoPim listing cache and update path

    @property
    def m(self):  # type: ignore[no-untyped-def]
        return self.job.m

    async def push(self, parent_sku: str, family: str, axes: list[str], variants: list[StoreVariant],
                   parent_values: Values | None) -> list[LinkWrite]:
        """`parent_values`: the configurable product's values as UnoPim holds them after its write (3.x), or
        None where variants inherit nothing."""
        async def one(sv: StoreVariant) -> list[LinkWrite]:
            try:
                async with self.products.sem:
                    return await self._variant(parent_sku, family, axes, sv, parent_values)
            except ApiError as exc:
                if isinstance(exc, FATAL):
                    raise
                self.job.item_failed("variant", sv.sku or f"#{sv.store_id}", exc)
                return []

        self.run.grow("variants", len(variants))  # a parent's variations are known once it is listed
        parts = await asyncio.gather(*(one(sv) for sv in variants))
        self.run.advance("variants", len(variants))
        return [w for part in parts for w in part]

    async def _variant(self, parent_sku: str, family: str, axes: list[str], sv: StoreVariant,
                       parent_values: Values | None) -> list[LinkWrite]:
        job = self.job
        if not sv.sku:
            job.skipped("variant", f"#{sv.store_id}", "it has no SKU; UnoPim identifies variants by SKU")
            return []
        link = job.link("variant", sv.sku)
        reason = in_cooldown_reason(link.pulled_at if link else None, job.debounce_s)
        if reason:
            job.skipped("variant", sv.sku, reason)
            return []
        h = content_hash(sv)
        if link and (link.store_hash == h or untouched_since_pull(link, sv, [], job)):
            self.run.count("variant", "unchanged")
            self.job.images.consider("variant", sv.sku, sv.store_id, [sv.image] if sv.image else [])
            agreed = await self.products.fields.agreed(None, [sv], parent_sku)
            return agreed + ([] if link.store_hash == h else [LinkWrite("variant", sv.sku, link.store_id,
                                                                        store_hash=h)])
        cache = self.products.cache
        if cache is not None:
            cached = cache[0].pop(sv.sku, None)
            current = json.loads(cached) if cached is not None else None
        else:
            current = await self.client.get_product(sv.sku)
        combo: dict[str, str] = {}
        if current is None:
            try:
                combo = variant_axes(sv, axes, self.m)
            except Unmappable as exc:
                job.skipped("variant", sv.sku, f"{exc}; it cannot become a variant of {parent_sku}")
                return []
            # What the new variant would show before this push writes anything into it.
            seen = shown({"values": {"common": {"sku": sv.sku, **combo}}}, parent_values)
        else:
            seen = shown(current, parent_values)
        base_after = None
        compared = sv
        if current is not None:
            # Only what the store changed since the last sync (an inherited value the store shows unchanged
            # is never written into the variant).
            probe = variant_to_store(seen or current, axes, self.m.view)
            probe.image = None
            compared, base_after = await self.products.fields.effective("variant", sv.sku, sv, probe, link)
        frag = variant_fragment(compared, seen, axes, self.m)
        self.products.problems("variant", sv.sku, frag)
        if current is None:
            new = await self._create(parent_sku, family, sv, frag, combo)
        else:
            new = await self.products.update(sv.sku, current, frag, current.get("family") or family, False,
                                             kind="variant")
        if new is None or sv.store_id is None:
            return []
        self.job.images.consider("variant", sv.sku, sv.store_id, [sv.image] if sv.image else [])
        wrote = new is not current
        pull_hash = None
        if wrote:  # the hash the next pull computes, from what UnoPim shows (image left out, as the pull does)
            probe = variant_to_store(shown(new, parent_values) or new, axes, self.m.view)
            probe.image = None
            pull_hash = content_hash(probe)
        return [LinkWrite("variant", sv.sku, sv.store_id, parent_code=parent_sku, store_hash=h, content_hash=pull_hash,
                          pushed=wrote and not job.options.dry_run, base=None if job.options.dry_run else base_after)]

    async def _create(self, parent_sku: str, family: str, sv: StoreVariant, frag: Fragment,
                      combo: dict[str, str]) -> dict[str, Any] | None:
        job = self.job
        values = apply_fragment({"common": {"sku": sv.sku, **combo}}, frag.values)[0]
        status = frag.status if frag.status is not None else sv.status == "publish"
        body = {"parent": parent_sku, "family": family, "status": status, "values": values,
                "variant": {"attributes": combo}}
        self.products.warn_sku("variant", sv.sku)
        self.run.record_change("variant", sv.sku, "create", value_changes(None, values),
                               content_hash({"status": status, "values": values}))
        if job.options.dry_run:
            self.run.log(f"dry-run: would create variant {sv.sku} of {parent_sku} "
                         f"({', '.join(f'{k}={v}' for k, v in combo.items())})", entity_kind="variant", entity=sv.sku)
            self.run.count("variant", "created")
            return {"sku": sv.sku, "parent": parent_sku, "values": values, "status": status}
        await self.client.create_product(body)
        self.run.count("variant", "created")
        return {"sku": sv.sku, "parent": parent_sku, "values": values, "status": status, "family": family}

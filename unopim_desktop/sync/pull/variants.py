"""What a pull must know about configurable products before it writes their variants (unopim-api §13.1,
§13.2).

UnoPim 3.x: a variant stores only its axis values and SKU; everything else is its parent's, shown through
inheritance, and the REST API returns the stored values only. So each configurable product's values are
kept (only what a variant transform reads) and every variant is resolved from its parent before it is
transformed. A parent's edit does not move its variants' `updated_at`: a delta re-reads the variants of
every configurable product it saw change.

Two-level variant structures (3.x): the leaves hang under internal `variant_group` products that no REST
route lists or returns. Such a product is recognised (a configurable product whose variants carry fewer
axis values than its super attributes; a variant whose parent is not a configurable product UnoPim
lists) and reported, and none of it is written: half a product in the store is worse than none.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from unopim_desktop.sync.transform.to_store import variant_codes
from unopim_desktop.sync.transform.values import grouped_variants, only_codes, resolve_chain

if TYPE_CHECKING:
    from unopim_desktop.sync.pull.job import PullJob

TWO_LEVEL = ("it has a two-level variant structure (UnoPim 3.x variant groups), which UnoPim's REST API does not "
             "expose (no route lists the groups), so it is not pulled; nothing of it is written to the store")


class VariantParents:
    def __init__(self, job: PullJob) -> None:
        self.job = job
        # Configurable SKU -> the values a variant reads (3.x), as compact JSON: a fraction of the dicts' memory,
        # held for every configurable product of the run.
        self.values: dict[str, str] = {}
        self.two_level: dict[str, str] = {}  # configurable SKU -> why it is not written
        self.group_of: dict[str, str] = {}  # variant group SKU -> its configurable product's SKU
        self.not_listed: set[str] = set()  # parents that are no configurable product UnoPim lists
        self.reported: set[str] = set()  # parents whose variants were already reported as not pulled
        self.seen: list[str] = []  # configurable SKUs this run wrote or compared (a delta re-reads their variants)

    @property
    def inherit(self) -> bool:
        return self.job.features.variants_inherit

    def learn(self, item: dict[str, Any], sku: str, *, listed: bool = True) -> str | None:
        """Note a configurable product as UnoPim lists it (`listed`: by this run's product listing, not read
        alone for one of its variants); why it must not be written, or None."""
        mapping = self.job.state.mapping
        if self.inherit and mapping is not None:
            self.values[sku] = json.dumps(only_codes(item.get("values") or {}, variant_codes(mapping)),
                                          ensure_ascii=False, separators=(",", ":"))
        short = grouped_variants(item)
        if self.inherit and short:
            for group in short:
                self.group_of[group] = sku
            self.two_level[sku] = TWO_LEVEL
            return TWO_LEVEL
        if listed:
            self.seen.append(sku)
        return None

    def resolve(self, parent_sku: str, item: dict[str, Any]) -> dict[str, Any]:
        """The variant as UnoPim shows it: its own values over its parent's (3.x); as listed otherwise."""
        parent = self.values.get(parent_sku)
        if not self.inherit or parent is None:
            return item
        return {**item, "values": resolve_chain([json.loads(parent), item.get("values") or {}])}

    async def orphan_reason(self, parent_sku: str) -> str | None:
        """Why the variants listed under `parent_sku` cannot be pulled (None: they can)."""
        if parent_sku in self.group_of:
            return (f"their parent {parent_sku} is a variant group of the configurable product "
                    f"{self.group_of[parent_sku]}, which {TWO_LEVEL}")
        if parent_sku not in self.job.state.axes:
            await self.job.axes_of(parent_sku)  # read it alone: is it a configurable product at all?
        if parent_sku in self.not_listed and self.inherit:
            return (f"their parent {parent_sku} is not a configurable product UnoPim lists: a variant group of a "
                    "two-level variant structure (UnoPim 3.x), which UnoPim's REST API does not expose, or a product "
                    "deleted meanwhile; they are not pulled")
        return None

    def report(self, parent_sku: str, skus: list[str], reason: str) -> None:
        """Count the variants skipped; one Logs row per parent and run."""
        run = self.job.run
        run.count("variant", "skipped", len(skus))
        if parent_sku in self.reported:
            return
        self.reported.add(parent_sku)
        shown = ", ".join(skus[:5]) + (" …" if len(skus) > 5 else "")
        run.log(f"Variants of {parent_sku} ({shown}) not pulled: {reason}.", level="warning", entity_kind="variant",
                entity=parent_sku)

    async def variants_of_changed(self) -> list[list[dict[str, Any]]]:
        """A 3.x delta: the variants of each configurable product it read (its edits reach them through
        inheritance, and their own `updated_at` does not move), one listing per product."""
        if not self.inherit or self.job.options.full:
            return []
        pages = []
        for sku in dict.fromkeys(self.seen):
            self.job.run.cancel.check()
            filters = {"parent": [{"operator": "=", "value": sku}]}
            async for items in self.job.client.iter_pages("/products", filters=filters,
                                                          limit=self.job.options.page_size):
                pages.append(items)
        return pages

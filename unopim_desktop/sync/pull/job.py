"""Pull pipeline (UnoPim → store), in the fixed order the connector documents:

channels, locales, currencies, attribute groups, attributes, attribute options, families, reference
entities, categories, products, variants, associations, tags, images.

Each step reads from UnoPim, transforms with the mapping (pure functions in `transform`), diffs against
the content hash last synced (`changes`), writes in batches through the store adapter, and records
links and the checkpoint in one transaction per batch (`state.sync_repo.commit_batch`).
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from dataclasses import dataclass, field
from typing import Any

from unopim_desktop.clients.unopim import UnoPimClient
from unopim_desktop.domain import AttributeDef, ChannelRow
from unopim_desktop.state import checkpoints_repo, sync_repo
from unopim_desktop.state.sync_repo import LinkWrite
from unopim_desktop.stores.base import StoreAdapter
from unopim_desktop.sync.job import IMAGES_KIND, Step, SyncJob
from unopim_desktop.sync.pull.catalog import CatalogSteps
from unopim_desktop.sync.pull.products import ProductSteps
from unopim_desktop.sync.pull.variants import VariantParents
from unopim_desktop.sync.run import RunContext
from unopim_desktop.sync.transform.to_store import PullMapping

log = logging.getLogger(__name__)

STEPS = (
    "channels", "locales", "currencies", "attribute_groups", "attributes", "attribute_options", "families",
    "reference_entities", "categories", "products", "variants", "associations", "tags", "images",
)
# Link kinds the pull writes but never reads (the store image ids the push compares against).
PUSH_ONLY_KINDS = frozenset({IMAGES_KIND})


@dataclass
class PullOptions:
    full: bool = True
    dry_run: bool = False
    on_delete: str = "trash"  # trash | delete | skip
    on_conflict: str = "unopim"  # who wins a field changed on both sides: unopim | store | ask
    allow_deletes: bool = False  # deletes beyond Max delete were confirmed
    max_delete: int = 10  # percent of the linked products a run may delete or trash without confirmation
    # Only these SKUs (a conflict the merchant settled): read one by one, no deletes, the delta's
    # watermark left where it was.
    only: tuple[str, ...] = ()
    in_flight: int = 8  # store write batches in flight at once
    page_size: int = 100  # UnoPim page size (3.x allows at most 100); smaller = finer checkpoints
    images: bool = True  # General settings → Image sync: off leaves the store's pictures as they are


@dataclass
class PullState:
    """What earlier steps learned and later steps use, for one run."""

    channel_info: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, AttributeDef] = field(default_factory=dict)
    families: dict[str, set[str]] = field(default_factory=dict)
    axes: dict[str, list[str]] = field(default_factory=dict)  # configurable SKU -> super attributes
    axis_options: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # SKU -> axis -> options
    mapping: PullMapping | None = None
    seen_products: set[str] = field(default_factory=set)
    associations: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    tags: set[str] = field(default_factory=set)
    complete_listing: bool = True  # every product page was read in this run (deletes can be detected)
    changed_configurables: list[list[dict[str, Any]]] | None = None  # a delta's pages, read once
    retry: set[str] = field(default_factory=set)  # SKUs not written whole (a translation or price refused)
    retry_earlier: list[str] = field(default_factory=list)  # what earlier pulls could not write: a delta reads them


class PullJob(SyncJob):
    def __init__(
        self, run: RunContext, client: UnoPimClient, adapter: StoreAdapter, *, store_label: str,
        channel: ChannelRow, options: PullOptions, debounce_s: int, store_currency: str = "",
        store_settings: dict[str, str] | None = None,
    ) -> None:
        super().__init__(run, client, adapter, store_label=store_label, channel=channel, options=options,
                         debounce_s=debounce_s, store_currency=store_currency, store_settings=store_settings)
        self.state = PullState()
        # The parts of the run in progress (None outside `execute`).
        self.catalog: CatalogSteps | None = None
        self.products: ProductSteps | None = None
        self.parents: VariantParents | None = None
        self.name = "pull_full" if options.full else "pull_delta"

    # UnoPim stamps updated_at in whole seconds: an edit in the second the run starts must not be missed
    # by the next delta (re-reading a few unchanged products costs nothing: their hashes match).
    WATERMARK_MARGIN = dt.timedelta(seconds=5)

    async def commit(self, writes: list[LinkWrite], *, step: str | None = None, cursor: Any = None,
                     deletes: list[tuple[str, str]] = ()) -> None:
        """Record links (and the checkpoint) in one transaction; never in a dry run."""
        if self.options.dry_run or (not writes and step is None and not deletes):
            return
        # The pull only writes the store-image records (for the push): no need to hold them in memory.
        await self.record(writes, list(deletes), job=self.name, step=step, cursor=cursor, skip_kinds=PUSH_ONLY_KINDS)

    # -- the run ---------------------------------------------------------------------------------
    async def execute(self) -> None:
        self.links = await self.lane.run(sync_repo.load_links, self.address, self.label,
                                         exclude=tuple(PUSH_ONLY_KINDS), lean=True)
        resume = await self.lane.run(checkpoints_repo.checkpoint, self.address, self.label, self.channel.code,
                                     self.name)
        if not self.options.full and not self.options.only:
            self.state.retry_earlier = await self.lane.run(checkpoints_repo.retry_skus, self.address, self.label,
                                                           self.channel.code)
        self.catalog = CatalogSteps(self)
        self.parents = VariantParents(self)
        products = self.products = ProductSteps(self)
        if resume and resume.get("step"):
            self.run.log(f"Resuming an interrupted {self.name.replace('_', ' ')} (it stopped at {resume['step']}, "
                         f"page {_resume_page(resume) + 1}): what it wrote is compared, not written again, and "
                         "every product's images and associations are completed.")
        try:
            await self.run_steps([(step,) for step in self.steps()])
        finally:
            await products.stop_image_worker()
            # The parts point back at this job: drop the cycles, or a large run's links and state wait
            # for a full garbage collection (a stall of its own) instead of being freed here.
            self.products = self.catalog = self.parents = None
        if not self.options.dry_run and not self.options.only:
            retry = self.state.retry | {code for kind, code in self.run.failed_codes if kind in ("product", "variant")}
            await self.lane.run(checkpoints_repo.finish_checkpoint, self.address, self.label, self.channel.code,
                                self.name, self.started_at.isoformat(sep=" ", timespec="seconds"), retry)

    def steps(self) -> list[Step]:
        """The documented order; each step a method of the part that does it."""
        c, p = self.catalog, self.products
        assert c is not None and p is not None
        table: list[Step] = [
            ("channels", c.step_channels), ("locales", c.step_locales), ("currencies", c.step_currencies),
            ("attribute_groups", c.step_attribute_groups), ("attributes", c.step_attributes),
            ("attribute_options", c.step_attribute_options), ("families", c.step_families),
            ("reference_entities", c.step_reference_entities), ("categories", c.step_categories),
            ("products", p.step_products), ("variants", p.step_variants), ("associations", p.associations.step),
            ("tags", p.step_tags), ("images", p.step_images),
        ]
        assert tuple(name for name, _ in table) == STEPS
        return table

    def learn_axes(self, configurables: list[dict[str, Any]]) -> None:
        for item in configurables:
            sku = item.get("sku") or ((item.get("values") or {}).get("common") or {}).get("sku")
            # Interned: a few axis and option codes repeat across every configurable product of the run.
            axes = [sys.intern(a) for a in item.get("super_attributes") or [] if a in self.state.attributes]
            self.state.axes[sku] = axes
            used: dict[str, list[str]] = {a: [] for a in axes}
            for v in item.get("variants") or []:
                for a, opt in (v.get("attributes") or {}).items():
                    if a in used and opt not in used[a]:
                        used[a].append(sys.intern(opt) if isinstance(opt, str) else opt)
            self.state.axis_options[sku] = used

    async def axes_of(self, parent_sku: str) -> list[str]:
        """The variant axes of a configurable product (read from UnoPim when this run has not seen it)."""
        if parent_sku not in self.state.axes:
            item = await self.client.get_product(parent_sku, configurable_path=self.configurable_path)
            self.state.axes[parent_sku] = []
            if item is not None:
                self.learn_axes([item])
            if self.parents is not None and item is not None:
                self.parents.learn(item, parent_sku, listed=False)
            elif self.parents is not None:
                self.parents.not_listed.add(parent_sku)
        return self.state.axes[parent_sku]


def _resume_page(cp: dict[str, Any] | None) -> int:
    if not cp or cp.get("step") != "products":
        return 0
    cursor = cp.get("cursor") or {}
    return int(cursor.get("page", 0)) if isinstance(cursor, dict) else 0

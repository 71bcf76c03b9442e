"""Push pipeline (store → UnoPim): attributes and their options, categories, products with their
variants, write-back deletes — in that order (categories before products, as on import and export).

A desktop app cannot hook the store's save events, so it polls: `--changed` lists the products modified
since the last push started (the store-side watermark kept in the `push` checkpoint); categories,
attributes and terms carry no date, but the store lists them whole, so every push compares them (new,
renamed, moved, deleted); `--all` lists every product and also finds deleted ones. Each store record is
compared with what UnoPim holds (`reverse`), so unchanged and echoed records cost no write. Every gate
(push off, cooldown after a pull, missing family, a mapping with no values) skips with an info row in
the Logs.

Dates miss a deleted product and a variation edited where the store does not save its parent, so a
changed push becomes a **reconciliation** when the last one is older than the General setting
`reconcile_hours` (or with `--reconcile`): every store product is compared with its link's store hash
(unchanged ones cost no UnoPim read or write), and linked products and variations gone from the store
are permanent deletes (Write-back deletes). The time of the last completed one is the watermark of the
`push_reconcile` checkpoint.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass

from unopim_desktop.clients.errors import ApiError
from unopim_desktop.clients.unopim import UnoPimClient
from unopim_desktop.domain import ChannelRow
from unopim_desktop.mapping.fields import SELECT_LIKE
from unopim_desktop.state import checkpoints_repo, mapping_repo, sync_repo
from unopim_desktop.state.sync_repo import LinkWrite
from unopim_desktop.stores.base import StoreAdapter
from unopim_desktop.sync.job import (
    FATAL,
    StepFailed,
    StepGroup,
    SyncJob,
    api_error_text,
    attribute_defs,
    server_text,
)
from unopim_desktop.sync.mapping_check import check_mapping
from unopim_desktop.sync.push.attributes import AttributePush
from unopim_desktop.sync.push.categories import CategoryPush
from unopim_desktop.sync.push.deletes import DeletePush
from unopim_desktop.sync.push.images import ImagePush
from unopim_desktop.sync.push.products import ProductPush
from unopim_desktop.sync.run import RunContext
from unopim_desktop.sync.transform.to_unopim import PushMapping

log = logging.getLogger(__name__)

STEPS = ("attributes", "categories", "products", "variants", "deletes", "images")
ENTITIES = ("products", "categories", "attributes")
CHECKPOINT_JOB = "push"


@dataclass
class PushOptions:
    changed: bool = False  # only what the store modified since the last push (else everything)
    entity: str | None = None  # products | categories | attributes; None = all three
    dry_run: bool = False
    writeback_delete: bool = False
    on_conflict: str = "unopim"  # who wins a field changed on both sides: unopim | store | ask
    only: tuple[str, ...] = ()  # only these products (a conflict the merchant settled); no watermark moves
    allow_deletes: bool = False  # deletes beyond Max delete were confirmed
    max_delete: int = 10  # percent of the linked products a run may delete without confirmation
    in_flight: int = 8
    batch_size: int = 50
    reconcile_hours: int = 24  # a changed push reconciles when the last reconciliation is older (0: always)
    reconcile: bool = False  # force a reconciliation (`sync push --changed --reconcile`)
    images: bool = True  # General settings → Image sync: off leaves pictures where they are


class PushJob(SyncJob):
    # Store dates are whole seconds: start the next `--changed` window a little early (re-reading a few
    # unchanged products costs a comparison, not a write).
    WATERMARK_MARGIN = dt.timedelta(seconds=5)

    def __init__(self, run: RunContext, client: UnoPimClient, adapter: StoreAdapter, *, store_label: str,
                 channel: ChannelRow, options: PushOptions, debounce_s: int, store_currency: str = "",
                 store_settings: dict[str, str] | None = None) -> None:
        super().__init__(run, client, adapter, store_label=store_label, channel=channel, options=options,
                         debounce_s=debounce_s, store_currency=store_currency, store_settings=store_settings)
        self.default_family = ""
        self.mapping: PushMapping | None = None
        self.root = channel.root_category or "root"
        # Everything is compared (Push All, or a changed push that reconciles): deletes can be found.
        self.reconciling = False
        self.images: ImagePush | None = None  # of the run in progress

    @property
    def m(self) -> PushMapping:
        assert self.mapping is not None
        return self.mapping

    def wants(self, entity: str) -> bool:
        return self.options.entity in (None, entity)

    async def commit(self, writes: list[LinkWrite], *, deletes: list[tuple[str, str]] = ()) -> None:
        """Record links in one transaction; never in a dry run."""
        if self.options.dry_run or (not writes and not deletes):
            return
        await self.record(writes, list(deletes), job=self.run.job)

    def item_failed(self, kind: str, key: str, exc: ApiError, what: str = "") -> None:
        """One record refused (a 422 names the attribute and UnoPim's message); the rest goes on."""
        if isinstance(exc, FATAL):
            raise exc
        self.run.failed_item(kind, key, f"{kind.capitalize()} {key}{what} failed: {api_error_text(exc)}",
                             status=exc.status, server_text=server_text(exc))

    def skipped(self, kind: str, key: str, reason: str) -> None:
        self.run.wrote(kind, key, "skipped", f"{kind.capitalize()} {key} not pushed: {reason}")

    # -- the run ---------------------------------------------------------------------------------
    def steps(self, products: ProductPush) -> list[StepGroup]:
        """The order of import and export: attributes and categories (side by side: they do not depend on
        each other), then products, their variants, deletes and images; only the entities asked for."""
        assert self.images is not None
        attributes, categories, deletes = AttributePush(self), CategoryPush(self), DeletePush(self, products)
        table: list[StepGroup] = [
            [("attributes", attributes.step_attributes)] if self.wants("attributes") else [],
            [("categories", categories.step_categories)] if self.wants("categories") else [],
            [("products", products.step_products)], [("variants", products.step_variants)],
            [("deletes", deletes.step_deletes)], [("images", self.images.step_images)],
        ]
        if not self.wants("products"):
            table[2:] = []
        return [[*table[0], *table[1]], *table[2:]]

    async def execute(self) -> None:
        self.links = await self.lane.run(sync_repo.load_links, self.address, self.label)
        await self.prepare()
        self.reconciling = await self._reconcile_due()
        self.images = ImagePush(self)
        products = ProductPush(self)
        if self.wants("products") and not self.options.changed:
            products.start_prefetch()  # UnoPim's product listing, read while the first steps run
        try:
            await self.run_steps(self.steps(products))
        finally:
            await products.stop_prefetch()
            await self.images.aclose()  # a run stopped early leaves its uploads for the next push
            # ImagePush points back at this job: drop the cycle so the run's state is freed at once.
            self.images = None
        if self.options.dry_run:
            return
        if self.options.only:
            return
        if self.wants("products"):
            await self.lane.run(checkpoints_repo.finish_checkpoint, self.address, self.label, self.channel.code,
                                CHECKPOINT_JOB, self.started_at.isoformat(sep=" ", timespec="seconds"))
        if self.reconciling and self.options.entity is None:
            # Push All compares everything too. Only a run over every entity counts as a reconciliation.
            await self.lane.run(checkpoints_repo.record_reconciliation, self.address, self.label, self.channel.code,
                                self.started_at)

    async def _reconcile_due(self) -> bool:
        """Push All always compares everything; a changed push does when the last reconciliation is older
        than `reconcile_hours`, never happened, or `--reconcile` asks for it."""
        if self.options.only:
            return False
        if not self.options.changed:
            return True
        last = await self.lane.run(checkpoints_repo.last_reconciliation, self.address, self.label,
                                   self.channel.code)
        hours = self.options.reconcile_hours
        if last is None:
            why = "never done before for this store and channel"
        else:
            age_h = max(0.0, (self.started_at - last).total_seconds() / 3600)
            if not self.options.reconcile and age_h < hours:
                return False
            why = f"last one {age_h:.0f} h ago"
            if self.options.reconcile:
                why = f"asked for with --reconcile; {why}"
        self.run.log(f"Reconciliation: comparing everything ({why}); unchanged records cost no UnoPim write.")
        return True

    async def since(self) -> dt.datetime | None:
        """Where `--changed` starts: when the last push started (None: never pushed, list everything)."""
        if self.options.only or not self.options.changed or self.reconciling:
            return None
        cp = await self.lane.run(checkpoints_repo.checkpoint, self.address, self.label, self.channel.code,
                                 CHECKPOINT_JOB)
        mark = (cp or {}).get("watermark") or ""
        if not mark:
            self.run.log("No earlier push to compare with: looking at every store product this time.")
            return None
        return dt.datetime.fromisoformat(mark)

    async def prepare(self) -> None:
        """Read what every step needs from UnoPim and the local state: the channel, attributes with their
        options, the mapping, and the links from store ids to UnoPim codes."""
        self.started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None) - self.WATERMARK_MARGIN

        # Independent reads side by side (each is a round trip).
        channels, raw, families, self.features = await asyncio.gather(
            self.client.channels(), self.client.list_all("/attributes"), self.client.list_all("/families"),
            self.client.features())
        info = next((c for c in channels if c.get("code") == self.channel.code), None)
        if info is None:
            raise StepFailed(f"Channel {self.channel.code} no longer exists in UnoPim; click Refresh channels.")
        self.root = info.get("root_category") or self.root
        defs = attribute_defs(raw, families)
        # Nothing is written to UnoPim with a mapping that no longer works (same rules as Save).
        await check_mapping(self.lane, self.address, self.channel, defs, families, self.store_kind)
        await self.learn_reach()  # which store languages and currencies map back into which locale bucket
        view = await self.mapping_view(defs)
        attributes = view.attributes
        self.default_family = await self.lane.run(mapping_repo.default_family, self.address)
        self.mapping = PushMapping(view, one_association_list=self.adapter.one_association_list)
        # Options of every select-like attribute the mapping names, and of the possible variant axes.
        wanted = {c for c in (*view.core.values(), *(r.attribute_code for r in view.rows)) if c}
        wanted |= {c for c, a in attributes.items() if a.type == "select" and a.scope == "common"}
        await asyncio.gather(*(self.load_options(code) for code in sorted(wanted)
                               if code in attributes and attributes[code].type in SELECT_LIKE))
        for (kind, code), link in self.links.items():
            if kind == "category":
                view.category_ids[code] = link.store_id
                self.m.category_codes[link.store_id] = code
            elif kind == "product":
                # Associations name products (the pull links no variant in them); variant ids are another id
                # space in some stores (BigCommerce), where a variant's id may be a product's too.
                view.product_ids[code] = link.store_id
                self.m.product_skus[link.store_id] = code
            elif kind == "attribute":
                view.attribute_ids[view.store_attribute_name(code)] = link.store_id
        for row in await self.lane.run(mapping_repo.category_mapping, self.address, self.channel.code):
            view.category_ids.setdefault(row.category_code, row.store_category_id)
            self.m.category_codes.setdefault(row.store_category_id, row.category_code)

    async def load_options(self, code: str) -> dict[str, dict[str, str]]:
        options = await self.client.attribute_options(code)
        labels = {str(o.get("code")): dict(o.get("labels") or {}) for o in options}
        self.m.view.option_labels[code] = labels
        return labels

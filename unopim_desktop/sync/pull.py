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
from dataclasses import dataclass, field
from typing import Any

from unopim_desktop.clients.errors import ApiError
from unopim_desktop.clients.unopim import UnoPimClient
from unopim_desktop.domain import AttributeDef, ChannelRow, StoreAttribute, StoreCategory, StoreTerm
from unopim_desktop.mapping.fields import SELECT_LIKE
from unopim_desktop.state import mapping_repo, stores_repo, sync_repo
from unopim_desktop.state.sync_repo import LinkWrite
from unopim_desktop.stores.base import StoreAdapter
from unopim_desktop.sync.changes import content_hash
from unopim_desktop.sync.job import SyncJob, attribute_defs
from unopim_desktop.sync.push_images import IMAGES_KIND
from unopim_desktop.sync.run import RunContext
from unopim_desktop.sync.transform import PullMapping

log = logging.getLogger(__name__)

STEPS = (
    "channels", "locales", "currencies", "attribute_groups", "attributes", "attribute_options", "families",
    "reference_entities", "categories", "products", "variants", "associations", "tags", "images",
)
# Link kinds the pull writes but never reads (the store image ids the push compares against).
PUSH_ONLY_KINDS = frozenset({IMAGES_KIND})


class StepFailed(Exception):
    """A step cannot go on (e.g. the channel vanished from UnoPim); the run stops with this reason."""


@dataclass
class PullOptions:
    full: bool = True
    dry_run: bool = False
    on_delete: str = "trash"  # trash | delete | skip
    in_flight: int = 8  # store write batches in flight at once
    page_size: int = 100  # UnoPim page size (3.x allows at most 100); smaller = finer checkpoints


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


class PullJob(SyncJob):
    def __init__(
        self, run: RunContext, client: UnoPimClient, adapter: StoreAdapter, *, store_label: str,
        channel: ChannelRow, options: PullOptions, debounce_s: int, store_currency: str = "",
    ) -> None:
        super().__init__(run, client, adapter, store_label=store_label, channel=channel, options=options,
                         debounce_s=debounce_s, store_currency=store_currency)
        self.state = PullState()
        self.products: Any = None  # the ProductSteps of the run in progress
        self.job = "pull_full" if options.full else "pull_delta"

    # UnoPim stamps updated_at in whole seconds: an edit in the second the run starts must not be missed
    # by the next delta (re-reading a few unchanged products costs nothing: their hashes match).
    WATERMARK_MARGIN = dt.timedelta(seconds=5)

    async def commit(self, writes: list[LinkWrite], *, step: str | None = None, cursor: Any = None,
                     deletes: list[tuple[str, str]] = ()) -> None:
        """Record links (and the checkpoint) in one transaction; never in a dry run."""
        if self.options.dry_run or (not writes and step is None and not deletes):
            return
        # The pull only writes the store-image records (for the push): no need to hold them in memory.
        await self.record(writes, list(deletes), job=self.job, step=step, cursor=cursor, skip_kinds=PUSH_ONLY_KINDS)

    # -- the run ---------------------------------------------------------------------------------
    async def execute(self) -> None:
        from unopim_desktop.sync.pull_products import ProductSteps

        self.links = await self.lane.run(sync_repo.load_links, self.address, self.label,
                                         exclude=tuple(PUSH_ONLY_KINDS), lean=True)
        resume = await self.lane.run(sync_repo.checkpoint, self.address, self.label, self.channel.code, self.job)
        products = self.products = ProductSteps(self, resume_page=_resume_page(resume))
        if resume and resume.get("step"):
            self.run.log(f"Resuming an interrupted {self.job.replace('_', ' ')} at {resume['step']} "
                         f"(page {_resume_page(resume) + 1}).")
        try:
            for step in STEPS:
                self.run.cancel.check()
                self.run.step_started(step)
                handler = getattr(self, f"step_{step}", None) or getattr(products, f"step_{step}")
                await handler()
                self.run.step_finished(step)
                await self.run.flush_logs()
        finally:
            await products.stop_image_worker()
            # ProductSteps points back at this job: drop the cycle, or a large run's links and state wait
            # for a full garbage collection (a stall of its own) instead of being freed here.
            self.products = None
        if not self.options.dry_run:
            await self.lane.run(sync_repo.finish_checkpoint, self.address, self.label, self.channel.code, self.job,
                                self.started_at.isoformat(sep=" ", timespec="seconds"))

    # -- 1-3: channels, locales, currencies ------------------------------------------------------------
    async def step_channels(self) -> None:
        channels = await self.client.channels()
        info = next((c for c in channels if c.get("code") == self.channel.code), None)
        if info is None:
            raise StepFailed(f"Channel {self.channel.code} no longer exists in UnoPim; click Refresh channels.")
        self.state.channel_info = info
        self._channels = channels
        self.started_at = self.client.server_now() - self.WATERMARK_MARGIN
        self.run.advance("channels", len(channels))

    async def step_locales(self) -> None:
        self._locales = await self.client.locales()
        self.run.advance("locales", sum(1 for loc in self._locales if loc.get("status")))

    async def step_currencies(self) -> None:
        currencies = await self.client.currencies()
        await self.lane.run(stores_repo.replace_settings_cache, self.address, self._channels, self._locales,
                            currencies)
        self.run.advance("currencies", sum(1 for c in currencies if c.get("status")))

    # -- 4-8: attribute groups, attributes, options, families, reference entities ----------------------
    async def step_attribute_groups(self) -> None:
        groups = await self.client.list_all("/attribute-groups")
        self.run.advance("attribute_groups", len(groups))

    async def step_attributes(self) -> None:
        raw = await self.client.list_all("/attributes")
        self._raw_attributes = raw
        self.state.attributes = attribute_defs(raw)
        # Variant axes: read the configurable products' super attributes (and the options in use).
        self.configurable_path = await self.client.configurable_path()
        if self.options.full:
            async for page in self.client.iter_pages(self.configurable_path):
                self.learn_axes(page)
        else:
            # A delta reads only the configurable products changed since the last pull, and keeps them
            # for the products step; the axes of the others are already store attributes (their links),
            # and a changed variant of an unchanged parent reads that parent alone (`axes_of`).
            self.state.changed_configurables = []
            async for _n, items in self.products.pages(self.configurable_path):
                self.learn_axes(items)
                self.state.changed_configurables.append(items)
        self.run.advance("attributes", len(raw))

    def learn_axes(self, configurables: list[dict[str, Any]]) -> None:
        for item in configurables:
            sku = item.get("sku") or ((item.get("values") or {}).get("common") or {}).get("sku")
            axes = [a for a in item.get("super_attributes") or [] if a in self.state.attributes]
            self.state.axes[sku] = axes
            used: dict[str, list[str]] = {a: [] for a in axes}
            for v in item.get("variants") or []:
                for a, opt in (v.get("attributes") or {}).items():
                    if a in used and opt not in used[a]:
                        used[a].append(opt)
            self.state.axis_options[sku] = used

    async def axes_of(self, parent_sku: str) -> list[str]:
        """The variant axes of a configurable product (read from UnoPim when this run has not seen it)."""
        if parent_sku not in self.state.axes:
            item = await self.client.get_product(parent_sku, configurable_path=self.configurable_path)
            self.state.axes[parent_sku] = []
            if item is not None:
                self.learn_axes([item])
        return self.state.axes[parent_sku]

    async def step_attribute_options(self) -> None:
        mapping = await self._build_mapping()
        wanted = self._store_attribute_codes(mapping)
        labelled = {c for c in wanted} | {
            code for code in (*mapping.core.values(), *(r.attribute_code for r in mapping.rows))
            if code and self.state.attributes.get(code) and self.state.attributes[code].type in SELECT_LIKE
        }
        for code in sorted(labelled):
            if self.state.attributes.get(code) is None or self.state.attributes[code].type not in SELECT_LIKE:
                continue
            options = await self.client.get_json(f"/attributes/{code}/options")
            mapping.option_labels[code] = {
                str(o.get("code")): dict(o.get("labels") or {}) for o in options or [] if isinstance(o, dict)
            }
        to_write: list[StoreAttribute] = []
        for code in sorted(wanted):
            name = mapping.store_attribute_name(code)
            labels = mapping.option_labels.get(code, {})
            terms = [StoreTerm(name=mapping.option_label(code, opt)) for opt in labels]
            attr = StoreAttribute(name=name, slug=_slug(code), terms=terms)
            link = self.link("attribute", code)
            if link and link.content_hash == content_hash(attr):
                mapping.attribute_ids[name] = link.store_id
                self.run.count("attribute", "unchanged")
                continue
            if link:
                attr.store_id = link.store_id
            to_write.append(attr)
        if to_write:
            await self._write_attributes(to_write, mapping)
        self.run.advance("attribute_options", sum(len(v) for v in mapping.option_labels.values()))

    async def _write_attributes(self, attrs: list[StoreAttribute], mapping: PullMapping) -> None:
        if self.options.dry_run:
            for a in attrs:
                verb = "update" if a.store_id else "create"
                self.run.log(f"dry-run: would {verb} store attribute “{a.name}” with {len(a.terms)} term(s): "
                             f"{', '.join(t.name for t in a.terms[:8])}", entity_kind="attribute", entity=a.name)
                self.run.count("attribute", "updated" if a.store_id else "created")
            return
        result = await self.adapter.upsert_attributes(attrs)
        by_name = {r.key: r for r in (*result.created, *result.updated) if "/" not in r.key}
        term_failures = [r for r in result.failed if "/" in r.key]
        writes = []
        code_of = {mapping.store_attribute_name(c): c for c in self._store_attribute_codes(mapping)}
        for a in attrs:
            r = by_name.get(a.name)
            code = code_of.get(a.name, a.name)
            if r is not None and r.ok and not r.store_id:  # the store keeps options per product (BigCommerce)
                self.run.count("attribute", "skipped")
                self.run.log(f"Attribute “{a.name}”: {r.note or 'nothing to write in this store'}",
                             entity_kind="attribute", entity=code)
                continue
            if r is None or not r.ok or not r.store_id:
                self.run.count("attribute", "failed")
                self.run.log(f"Store attribute “{a.name}” could not be written: {r.error if r else 'no answer'}",
                             level="error", entity_kind="attribute", entity=code)
                continue
            mapping.attribute_ids[a.name] = r.store_id
            failed_terms = [t for t in term_failures if t.key.startswith(f"{a.name}/")]
            for t in failed_terms:
                self.run.log(f"Term “{t.key}” could not be written: {t.error}", level="error",
                             entity_kind="attribute_option", entity=t.key)
            self.run.count("attribute", "updated" if a.store_id else "created")
            writes.append(LinkWrite("attribute", code, r.store_id,
                                    content_hash=None if failed_terms else content_hash(a), pulled=True))
        await self.commit(writes)

    async def step_families(self) -> None:
        families = await self.client.list_all("/families")
        for f in families:
            self.state.families[f["code"]] = {
                a["code"] for g in f.get("attribute_groups") or [] for a in g.get("custom_attributes") or []
            }
        self.run.advance("families", len(families))

    async def step_reference_entities(self) -> None:
        # UnoPim's REST API (1.x to 3.0) has no reference-entity endpoints; nothing to read.
        self.run.log("Reference entities: this UnoPim exposes none through its REST API; skipped.",
                     entity_kind="reference")

    # -- 9: categories ---------------------------------------------------------------------------------
    async def step_categories(self) -> None:
        mapping = self.state.mapping
        assert mapping is not None
        categories = await self.client.list_all("/categories")
        mapped = await self.lane.run(mapping_repo.category_mapping, self.address, self.channel.code)
        create_missing = await self.lane.run(mapping_repo.categories_create_missing, self.address, self.channel.code)
        for row in mapped:  # the merchant's own pairs win
            mapping.category_ids[row.category_code] = row.store_category_id
        by_code = {c["code"]: c for c in categories}
        root = self.state.channel_info.get("root_category") or self.channel.root_category
        depth: dict[str, int] = {}

        def depth_of(code: str) -> int:
            if code not in depth:
                parent = (by_code.get(code) or {}).get("parent")
                depth[code] = 0 if not parent or parent not in by_code else depth_of(parent) + 1
            return depth[code]

        in_tree = [c for c in categories if c["code"] != root and _under(c["code"], root, by_code)]
        for level in sorted({depth_of(c["code"]) for c in in_tree}):
            batch: list[tuple[str, StoreCategory]] = []
            for c in (c for c in in_tree if depth_of(c["code"]) == level):
                code = c["code"]
                if code in mapping.category_ids and not self.link("category", code):
                    self.run.count("category", "unchanged")  # mapped by hand onto an existing store category
                    continue
                if not create_missing and not self.link("category", code):
                    self.run.count("category", "skipped")
                    continue
                parent = c.get("parent")
                cat = StoreCategory(
                    name=_category_name(c, mapping.locales) or code, slug=_slug(code),
                    parent_store_id=mapping.category_ids.get(parent) if parent and parent != root else None,
                    description=_category_text(c, mapping.locales, "description"),
                )
                link = self.link("category", code)
                if link and link.content_hash == content_hash(cat):
                    mapping.category_ids[code] = link.store_id
                    self.run.count("category", "unchanged")
                    continue
                cat.store_id = link.store_id if link else None
                batch.append((code, cat))
            await self._write_categories(batch, mapping)
            self.run.advance("categories", len(batch))

    async def _write_categories(self, batch: list[tuple[str, StoreCategory]], mapping: PullMapping) -> None:
        if not batch:
            return
        if self.options.dry_run:
            for code, cat in batch:
                self.run.log(f"dry-run: would {'update' if cat.store_id else 'create'} category “{cat.name}”",
                             entity_kind="category", entity=code)
                self.run.count("category", "updated" if cat.store_id else "created")
            return
        result = await self.adapter.upsert_categories([cat for _, cat in batch])
        answers = {r.key: r for r in (*result.created, *result.updated)}
        writes = []
        for code, cat in batch:
            r = answers.get(cat.slug) or answers.get(cat.name)
            if r is None or not r.ok or not r.store_id:
                self.run.count("category", "failed")
                self.run.log(f"Category could not be written: {r.error if r else 'no answer'}", level="error",
                             entity_kind="category", entity=code)
                continue
            mapping.category_ids[code] = r.store_id
            self.run.count("category", "updated" if cat.store_id else "created")
            writes.append(LinkWrite("category", code, r.store_id, content_hash=content_hash(cat), pulled=True))
        await self.commit(writes)

    # -- mapping ---------------------------------------------------------------------------------------
    async def _build_mapping(self) -> PullMapping:
        self.state.mapping = await self.mapping_view(self.state.attributes)
        for sku_axes in self.state.axes.values():
            for code in sku_axes:
                self.state.mapping.axis_names.setdefault(code, self.state.mapping.store_attribute_name(code))
        for (kind, code), link in self.links.items():
            if kind == "attribute":
                self.state.mapping.attribute_ids[self.state.mapping.store_attribute_name(code)] = link.store_id
            elif kind == "category":
                self.state.mapping.category_ids[code] = link.store_id
        return self.state.mapping

    def _store_attribute_codes(self, mapping: PullMapping) -> set[str]:
        codes = {c for axes in self.state.axes.values() for c in axes}
        if not self.options.full:  # the axes of configurable products this delta did not read
            codes |= {code for kind, code in self.links if kind == "attribute" and code in self.state.attributes}
        codes |= {r.attribute_code for r in mapping.rows
                  if r.carrier == "attribute" and r.attribute_code in self.state.attributes}
        return codes


def _resume_page(cp: dict[str, Any] | None) -> int:
    if not cp or cp.get("step") != "products":
        return 0
    cursor = cp.get("cursor") or {}
    return int(cursor.get("page", 0)) if isinstance(cursor, dict) else 0


def _slug(code: str) -> str:
    return code.lower().replace("_", "-")


def _under(code: str, root: str, by_code: dict[str, dict[str, Any]]) -> bool:
    seen = set()
    while code and code not in seen:
        if code == root:
            return True
        seen.add(code)
        code = (by_code.get(code) or {}).get("parent") or ""
    return not root  # no root configured: every category counts


def _category_text(category: dict[str, Any], locales: list[str], key: str) -> str:
    per_locale = ((category.get("additional_data") or {}).get("locale_specific")) or {}
    for loc in locales:
        value = (per_locale.get(loc) or {}).get(key)
        if value:
            return str(value)
    return ""


def _category_name(category: dict[str, Any], locales: list[str]) -> str:
    return _category_text(category, locales, "name") or next(iter((category.get("labels") or {}).values()), "")


def api_error_text(exc: ApiError) -> str:
    detail = ""
    if isinstance(getattr(exc, "errors", None), dict):
        detail = "; ".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
                           for k, v in list(exc.errors.items())[:4])
    return f"HTTP {exc.status}: {exc.message}" + (f" ({detail})" if detail else "")

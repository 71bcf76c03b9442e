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
import re
from dataclasses import dataclass
from typing import Any

from unopim_desktop.clients.errors import ApiError, AuthError, Forbidden, NotFound, Unreachable
from unopim_desktop.clients.unopim import UnoPimClient
from unopim_desktop.domain import AttributeDef, ChannelRow, StoreAttribute
from unopim_desktop.mapping.fields import SELECT_LIKE
from unopim_desktop.state import mapping_repo, sync_repo
from unopim_desktop.state.sync_repo import LinkWrite
from unopim_desktop.stores.base import StoreAdapter
from unopim_desktop.sync.changes import content_hash, cooldown_reason
from unopim_desktop.sync.job import SyncJob, attribute_defs
from unopim_desktop.sync.pull import StepFailed, api_error_text
from unopim_desktop.sync.push_categories import CategorySteps
from unopim_desktop.sync.reverse import PushMapping, Unmappable, _norm, attribute_code_of
from unopim_desktop.sync.run import RunContext

log = logging.getLogger(__name__)

STEPS = ("attributes", "categories", "products", "variants", "deletes", "images")
ENTITIES = ("products", "categories", "attributes")
# Errors that stop the whole run: every further call would fail the same way.
FATAL = (AuthError, Forbidden, Unreachable)
CHECKPOINT_JOB = "push"


@dataclass
class PushOptions:
    changed: bool = False  # only what the store modified since the last push (else everything)
    entity: str | None = None  # products | categories | attributes; None = all three
    dry_run: bool = False
    writeback_delete: bool = False
    in_flight: int = 8
    batch_size: int = 50
    reconcile_hours: int = 24  # a changed push reconciles when the last reconciliation is older (0: always)
    reconcile: bool = False  # force a reconciliation (`sync push --changed --reconcile`)


class PushJob(CategorySteps, SyncJob):
    # Store dates are whole seconds: start the next `--changed` window a little early (re-reading a few
    # unchanged products costs a comparison, not a write).
    WATERMARK_MARGIN = dt.timedelta(seconds=5)

    def __init__(self, run: RunContext, client: UnoPimClient, adapter: StoreAdapter, *, store_label: str,
                 channel: ChannelRow, options: PushOptions, debounce_s: int, store_currency: str = "") -> None:
        super().__init__(run, client, adapter, store_label=store_label, channel=channel, options=options,
                         debounce_s=debounce_s, store_currency=store_currency)
        self.default_family = ""
        self.mapping: PushMapping | None = None
        self.configurable_path = "/configurable-products"
        self.root = channel.root_category or "root"
        # Everything is compared (Push All, or a changed push that reconciles): deletes can be found.
        self.reconciling = False
        self.images: Any = None  # the ImagePush of the run in progress

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
        self.run.count(kind, "failed")
        self.run.log(f"{kind.capitalize()} {key}{what} failed: {api_error_text(exc)}", level="error",
                     entity_kind=kind, entity=key)

    def skipped(self, kind: str, key: str, reason: str) -> None:
        self.run.count(kind, "skipped")
        self.run.log(f"{kind.capitalize()} {key} not pushed: {reason}", entity_kind=kind, entity=key)

    # -- the run ---------------------------------------------------------------------------------
    async def execute(self) -> None:
        from unopim_desktop.sync.push_products import ProductPush

        self.links = await self.lane.run(sync_repo.load_links, self.address, self.label)
        await self.prepare()
        self.reconciling = await self._reconcile_due()
        from unopim_desktop.sync.push_images import ImagePush

        self.images = ImagePush(self)
        products = ProductPush(self)
        wanted = {"attributes": self.wants("attributes"), "categories": self.wants("categories"),
                  "products": self.wants("products"), "variants": self.wants("products"),
                  "deletes": self.wants("products"), "images": self.wants("products")}
        if wanted["products"] and not self.options.changed:
            products.start_prefetch()  # UnoPim's product listing, read while the first steps run
        # Attributes and categories do not depend on each other: they run side by side.
        groups = [("attributes", "categories"), *((step,) for step in STEPS[2:])]
        try:
            for group in groups:
                steps = [step for step in group if wanted[step]]
                if not steps:
                    continue
                self.run.cancel.check()
                for step in steps:
                    self.run.step_started(step)
                await _all_or_none([(getattr(self, f"step_{step}", None) or getattr(products, f"step_{step}"))()
                                    for step in steps])
                for step in steps:
                    self.run.step_finished(step)
                await self.run.flush_logs()
        finally:
            await products.stop_prefetch()
            await self.images.aclose()  # a run stopped early leaves its uploads for the next push
            # ImagePush points back at this job: drop the cycle so the run's state is freed at once.
            self.images = None
        if self.options.dry_run:
            return
        if self.wants("products"):
            await self.lane.run(sync_repo.finish_checkpoint, self.address, self.label, self.channel.code,
                                CHECKPOINT_JOB, self.started_at.isoformat(sep=" ", timespec="seconds"))
        if self.reconciling and self.options.entity is None:
            # Push All compares everything too. Only a run over every entity counts as a reconciliation.
            await self.lane.run(sync_repo.record_reconciliation, self.address, self.label, self.channel.code,
                                self.started_at)

    async def _reconcile_due(self) -> bool:
        """Push All always compares everything; a changed push does when the last reconciliation is older
        than `reconcile_hours`, never happened, or `--reconcile` asks for it."""
        if not self.options.changed:
            return True
        last = await self.lane.run(sync_repo.last_reconciliation, self.address, self.label, self.channel.code)
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
        if not self.options.changed or self.reconciling:
            return None
        cp = await self.lane.run(sync_repo.checkpoint, self.address, self.label, self.channel.code, CHECKPOINT_JOB)
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
        channels, raw, self.configurable_path = await asyncio.gather(
            self.client.channels(), self.client.list_all("/attributes"), self.client.configurable_path())
        info = next((c for c in channels if c.get("code") == self.channel.code), None)
        if info is None:
            raise StepFailed(f"Channel {self.channel.code} no longer exists in UnoPim; click Refresh channels.")
        self.root = info.get("root_category") or self.root
        view = await self.mapping_view(attribute_defs(raw))
        attributes = view.attributes
        self.default_family = await self.lane.run(mapping_repo.default_family, self.address)
        self.mapping = PushMapping(view)
        # Options of every select-like attribute the mapping names, and of the possible variant axes.
        wanted = {c for c in (*view.core.values(), *(r.attribute_code for r in view.rows)) if c}
        wanted |= {c for c, a in attributes.items() if a.type == "select" and a.scope == "common"}
        await asyncio.gather(*(self.load_options(code) for code in sorted(wanted)
                               if code in attributes and attributes[code].type in SELECT_LIKE))
        for (kind, code), link in self.links.items():
            if kind == "category":
                view.category_ids[code] = link.store_id
                self.m.category_codes[link.store_id] = code
            elif kind in ("product", "variant"):
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

    # -- attributes and options -----------------------------------------------------------------------
    async def step_attributes(self) -> None:
        store_attributes = await self.adapter.list_attributes()
        by_store_id = {link.store_id: code for (kind, code), link in self.links.items() if kind == "attribute"}
        writes: list[LinkWrite] = []

        async def one(sa: StoreAttribute) -> None:
            code = by_store_id.get(sa.store_id or -1) or self.m.attribute_code_for(sa.name)
            if not code or code not in self.m.view.attributes:
                code = await self._create_attribute(code or attribute_code_of(sa.slug or sa.name), sa)
                if not code:
                    return
            else:
                self.run.count("attribute", "unchanged")
            if sa.store_id and not self.link("attribute", code):
                writes.append(LinkWrite("attribute", code, sa.store_id))
            if self.m.view.attributes[code].type in SELECT_LIKE:
                await self._push_options(code, sa)
            self.run.advance("attributes")

        # Attributes side by side: each one's options are its own (a handful of calls each).
        self.run.cancel.check()
        await asyncio.gather(*(one(sa) for sa in store_attributes))
        await self.commit(writes)

    async def _create_attribute(self, code: str, sa: StoreAttribute) -> str:
        if not code:
            self.skipped("attribute", sa.name, "no usable UnoPim code can be made from its name")
            return ""
        if self.options.dry_run:
            self.run.log(f"dry-run: would create attribute {code} (select) for store attribute “{sa.name}” with "
                         f"{len(sa.terms)} option(s)", entity_kind="attribute", entity=code)
            self.run.count("attribute", "created")
            return ""
        body = {"code": code, "type": "select", "is_required": 0, "is_unique": 0, "value_per_locale": 0,
                "value_per_channel": 0, "labels": {self.m.locale: sa.name}}
        try:
            await self.client.create_attribute(body)
        except ApiError as exc:
            self.item_failed("attribute", code, exc)
            return ""
        self.m.view.attributes[code] = AttributeDef(code=code, type="select", labels={self.m.locale: sa.name})
        self.m.view.option_labels[code] = {}
        self.run.count("attribute", "created")
        self.run.log(f"Attribute {code} created in UnoPim for the store attribute “{sa.name}”.",
                     entity_kind="attribute", entity=code)
        return code

    async def _push_options(self, code: str, sa: StoreAttribute) -> None:
        """New terms become options, renamed terms rename their option and deleted terms (write-back on)
        delete it: terms carry no modification date, but the store lists them whole on every push, so
        every push compares them. Term ids are linked to option codes with the term's store hash, so a
        rename is recognised, and an unchanged term is not compared, next time."""
        labels = self.m.view.option_labels.get(code)
        if labels is None:
            labels = await self.load_options(code)
        locale = self.m.locale
        prefix = f"{code}/"
        term_links = {link.store_id: c[len(prefix):] for (kind, c), link in self.links.items()
                      if kind == "attribute_option" and c.startswith(prefix)}
        creates: list[dict[str, Any]] = []
        renames: list[dict[str, Any]] = []
        writes: list[LinkWrite] = []
        for term in sa.terms:
            option = term_links.get(term.store_id) if term.store_id else None
            term_hash = content_hash(term)
            if option and option in labels:
                link = self.link("attribute_option", f"{prefix}{option}")
                if link and link.store_hash == term_hash:
                    continue
                shown = labels[option].get(locale) or option
                if _norm(shown) != _norm(term.name):
                    renames.append({"code": option, "labels": {**labels[option], locale: term.name}})
                if term.store_id:
                    writes.append(LinkWrite("attribute_option", f"{prefix}{option}", term.store_id,
                                            store_hash=term_hash))
                continue
            try:
                option = self.m.option_code(code, term.name)
            except Unmappable:
                option = _option_code(term.slug or term.name, set(labels) | {c["code"] for c in creates})
                creates.append({"code": option, "sort_order": len(labels) + len(creates) + 1,
                                "labels": {locale: term.name}})
            if term.store_id:
                writes.append(LinkWrite("attribute_option", f"{prefix}{option}", term.store_id, store_hash=term_hash))
        present = {t.store_id for t in sa.terms}
        gone = [(tid, opt) for tid, opt in term_links.items() if tid not in present]
        if self.options.dry_run:
            for o in creates:
                self.run.log(f"dry-run: would add option {o['code']} (“{o['labels'][locale]}”) to {code}",
                             entity_kind="attribute_option", entity=f"{prefix}{o['code']}")
            for o in renames:
                self.run.log(f"dry-run: would rename option {code}/{o['code']} to “{o['labels'][locale]}”",
                             entity_kind="attribute_option", entity=f"{prefix}{o['code']}")
            self.run.count("attribute_option", "created", len(creates))
            self.run.count("attribute_option", "updated", len(renames))
        else:
            for options, send, outcome, what in (
                (creates, self.client.create_attribute_options, "created", f" ({len(creates)} new option(s))"),
                (renames, self.client.upsert_attribute_options, "updated", " (renamed options)"),
            ):
                if not options:
                    continue
                try:
                    await send(code, options)
                except ApiError as exc:
                    self.item_failed("attribute_option", code, exc, what)
                    failed = {o["code"] for o in options}  # their terms stay unlinked: retried next push
                    writes = [w for w in writes if w.code[len(prefix):] not in failed]
                    continue
                for o in options:
                    labels[o["code"]] = dict(o["labels"])
                self.run.count("attribute_option", outcome, len(options))
        unchanged = len(sa.terms) - len(creates) - len(renames)
        self.run.count("attribute_option", "unchanged", max(0, unchanged))
        deletes = [await self._deleted_option(code, tid, opt) for tid, opt in gone]
        await self.commit(writes, deletes=[d for d in deletes if d])

    async def _deleted_option(self, code: str, term_id: int, option: str) -> tuple[str, str] | None:
        key = f"{code}/{option}"
        if not self.options.writeback_delete:
            self.skipped("attribute_option", key, "the store term was deleted; UnoPim keeps the option "
                         "(Write-back deletes is off in General Settings)")
            return None
        if self.options.dry_run:
            self.run.log(f"dry-run: would delete option {key} in UnoPim (its store term was deleted)",
                         entity_kind="attribute_option", entity=key)
            self.run.count("attribute_option", "updated")
            return None
        try:
            await self.client.delete_attribute_option(code, option)
        except NotFound:
            pass  # already gone in UnoPim: only the link is left to drop
        except ApiError as exc:
            self.item_failed("attribute_option", key, exc, " (delete)")
            return None
        self.m.view.option_labels.get(code, {}).pop(option, None)
        self.run.count("attribute_option", "updated")
        self.run.log(f"Option {key} deleted in UnoPim: its store term was deleted permanently.",
                     entity_kind="attribute_option", entity=key)
        return ("attribute_option", key)


async def _all_or_none(coroutines: list[Any]) -> None:
    """Run side by side; when one fails (or the run is cancelled), stop the others before raising."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def in_cooldown_reason(last_pull: dt.datetime | None, debounce_s: int) -> str:
    """Why a record the pull wrote moments ago is not pushed yet ("" when the cooldown is over)."""
    return cooldown_reason(last_pull, debounce_s, "pulled from UnoPim")


def _option_code(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_") or "option"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    return code

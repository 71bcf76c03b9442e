"""Push step: attributes and their options (store → UnoPim). New store attributes become select
attributes; terms become options, renamed terms rename them, deleted terms (write-back on) delete them."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

from unopim_desktop.clients.errors import ApiError, NotFound, RouteNotFound
from unopim_desktop.domain import AttributeDef, StoreAttribute
from unopim_desktop.mapping.fields import SELECT_LIKE
from unopim_desktop.state.sync_repo import LinkWrite
from unopim_desktop.sync.changes import content_hash
from unopim_desktop.sync.job import JobPart
from unopim_desktop.sync.transform.extra import extra_keys
from unopim_desktop.sync.transform.to_unopim import Unmappable, attribute_code_of, norm

if TYPE_CHECKING:
    from unopim_desktop.sync.push.job import PushJob


class AttributePush(JobPart):
    job: PushJob

    async def step_attributes(self) -> None:
        store_attributes = await self.adapter.list_attributes()
        by_store_id = {link.store_id: code for (kind, code), link in self.job.links.items() if kind == "attribute"}
        writes: list[LinkWrite] = []

        async def one(sa: StoreAttribute) -> None:
            code = by_store_id.get(sa.store_id or -1) or self.job.m.attribute_code_for(sa.name)
            if not code or code not in self.job.m.view.attributes:
                code = await self._create_attribute(code or attribute_code_of(sa.slug or sa.name), sa)
                if not code:
                    return
            else:
                self.run.count("attribute", "unchanged")
            if sa.store_id and not self.job.link("attribute", code):
                writes.append(LinkWrite("attribute", code, sa.store_id))
            if self.job.m.view.attributes[code].type in SELECT_LIKE:
                await self._push_options(code, sa)
            self.run.advance("attributes")

        # Attributes side by side: each one's options are its own (a handful of calls each).
        self.run.cancel.check()
        self.run.step_total("attributes", len(store_attributes))
        await asyncio.gather(*(one(sa) for sa in store_attributes))
        await self.job.commit(writes)
        await self._store_lists()

    async def _store_lists(self) -> None:
        """Core rows whose values the store keeps as a list of its own (BigCommerce's brands) and that a select
        attribute holds: the store's entries become options, as a store attribute's terms do, so the products
        naming them can be pushed."""
        terms_of = getattr(self.adapter, "field_terms", None)
        if terms_of is None:
            return
        for key in extra_keys(self.job.m.view.core):
            attr = self.job.m.view.attr(key)
            if attr is None or attr.type not in SELECT_LIKE:
                continue
            terms = await terms_of(key)
            if terms:
                await self._push_options(attr.code, StoreAttribute(name=attr.label(self.job.m.locale), terms=terms))

    async def _create_attribute(self, code: str, sa: StoreAttribute) -> str:
        if not code:
            self.job.skipped("attribute", sa.name, "no usable UnoPim code can be made from its name")
            return ""
        if self.job.options.dry_run:
            self.run.log(f"dry-run: would create attribute {code} (select) for store attribute “{sa.name}” with "
                         f"{len(sa.terms)} option(s)", entity_kind="attribute", entity=code)
            self.run.count("attribute", "created")
            return ""
        body = {"code": code, "type": "select", "is_required": 0, "is_unique": 0, "value_per_locale": 0,
                "value_per_channel": 0, "labels": {self.job.m.locale: sa.name}}
        try:
            await self.client.create_attribute(body)
        except ApiError as exc:
            self.job.item_failed("attribute", code, exc)
            return ""
        self.job.m.view.attributes[code] = AttributeDef(code=code, type="select", labels={self.job.m.locale: sa.name})
        self.job.m.view.option_labels[code] = {}
        self.run.count("attribute", "created")
        self.run.log(f"Attribute {code} created in UnoPim for the store attribute “{sa.name}”.",
                     entity_kind="attribute", entity=code, action="created")
        return code

    async def _push_options(self, code: str, sa: StoreAttribute) -> None:
        """New terms become options, renamed terms rename their option and deleted terms (write-back on)
        delete it: terms carry no modification date, but the store lists them whole on every push, so
        every push compares them. Term ids are linked to option codes with the term's store hash, so a
        rename is recognised, and an unchanged term is not compared, next time."""
        labels = self.job.m.view.option_labels.get(code)
        if labels is None:
            labels = await self.job.load_options(code)
        locale = self.job.m.locale
        prefix = f"{code}/"
        term_links = {link.store_id: c[len(prefix):] for (kind, c), link in self.job.links.items()
                      if kind == "attribute_option" and c.startswith(prefix)}
        creates: list[dict[str, Any]] = []
        renames: list[dict[str, Any]] = []
        writes: list[LinkWrite] = []
        for term in sa.terms:
            option = term_links.get(term.store_id) if term.store_id else None
            term_hash = content_hash(term)
            if option and option in labels:
                link = self.job.link("attribute_option", f"{prefix}{option}")
                if link and link.store_hash == term_hash:
                    continue
                shown = labels[option].get(locale) or option
                if norm(shown) != norm(term.name):
                    renames.append({"code": option, "labels": {**labels[option], locale: term.name}})
                if term.store_id:
                    writes.append(LinkWrite("attribute_option", f"{prefix}{option}", term.store_id,
                                            store_hash=term_hash))
                continue
            try:
                option = self.job.m.option_code(code, term.name)
            except Unmappable:
                option = _option_code(term.slug or term.name, set(labels) | {c["code"] for c in creates})
                creates.append({"code": option, "sort_order": len(labels) + len(creates) + 1,
                                "labels": {locale: term.name}})
            if term.store_id:
                writes.append(LinkWrite("attribute_option", f"{prefix}{option}", term.store_id, store_hash=term_hash))
        present = {t.store_id for t in sa.terms}
        gone = [(tid, opt) for tid, opt in term_links.items() if tid not in present]
        if self.job.options.dry_run:
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
                    self.job.item_failed("attribute_option", code, exc, what)
                    failed = {o["code"] for o in options}  # their terms stay unlinked: retried next push
                    writes = [w for w in writes if w.code[len(prefix):] not in failed]
                    continue
                for o in options:
                    labels[o["code"]] = dict(o["labels"])
                self.run.count("attribute_option", outcome, len(options))
        unchanged = len(sa.terms) - len(creates) - len(renames)
        self.run.count("attribute_option", "unchanged", max(0, unchanged))
        deletes = [await self._deleted_option(code, tid, opt) for tid, opt in gone]
        await self.job.commit(writes, deletes=[d for d in deletes if d])

    async def _deleted_option(self, code: str, term_id: int, option: str) -> tuple[str, str] | None:
        key = f"{code}/{option}"
        if not self.job.options.writeback_delete:
            self.job.skipped("attribute_option", key, "the store term was deleted; UnoPim keeps the option "
                         "(Write-back deletes is off on the Settings tab)")
            return None
        if not self.job.features.deletes_options:
            self._cannot_delete_option(key)
            return None
        if self.job.options.dry_run:
            self.run.log(f"dry-run: would delete option {key} in UnoPim (its store term was deleted)",
                         entity_kind="attribute_option", entity=key)
            self.run.count("attribute_option", "deleted")
            return None
        try:
            await self.client.delete_attribute_option(code, option)
        except RouteNotFound:  # the route came with 3.0: the option is still there
            self._cannot_delete_option(key)
            return None
        except NotFound:
            pass  # already gone in UnoPim: only the link is left to drop
        except ApiError as exc:
            self.job.item_failed("attribute_option", key, exc, " (delete)")
            return None
        self.job.m.view.option_labels.get(code, {}).pop(option, None)
        self.run.count("attribute_option", "deleted")
        self.run.log(f"Option {key} deleted in UnoPim: its store term was deleted permanently.",
                     entity_kind="attribute_option", entity=key, action="deleted")
        return ("attribute_option", key)


    def _cannot_delete_option(self, key: str) -> None:
        """UnoPim before 3.0 has no route to delete an option: say so, and keep the link (the option is
        still in UnoPim, so the next push says it again instead of forgetting it)."""
        self.run.count("attribute_option", "skipped")
        self.run.log(f"Option {key}: its store term was deleted, but this UnoPim cannot delete an option through "
                     "its API (that came with UnoPim 3.0); the option stays in UnoPim. Delete it there by hand if "
                     "it should go.", level="warning", entity_kind="attribute_option", entity=key)


def _option_code(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_") or "option"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    return code

"""Pull steps 1-9 (UnoPim → store): channels, locales, currencies, attribute groups, attributes, attribute
options (written as store attributes and terms), families, reference entities, categories (as a tree).

They learn what the product steps need (the channel, the attributes, the variant axes, the mapping) and
keep it in the job's `PullState`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from unopim_desktop.domain import StoreAttribute, StoreCategory, StoreTerm, StoreTranslation
from unopim_desktop.mapping.fields import SELECT_LIKE
from unopim_desktop.state import mapping_repo, stores_repo
from unopim_desktop.state.sync_repo import LinkWrite
from unopim_desktop.sync.changes import content_hash, field_changes
from unopim_desktop.sync.job import TRANSLATION_KIND, JobPart, StepFailed, attribute_defs, translation_code
from unopim_desktop.sync.mapping_check import check_mapping
from unopim_desktop.sync.pull.checks import category_loops
from unopim_desktop.sync.transform.to_store import (
    PullMapping,
    category_name,
    category_text,
    category_translations,
)

if TYPE_CHECKING:
    from unopim_desktop.sync.pull.job import PullJob


class CatalogSteps(JobPart):
    job: PullJob

    # -- 1-3: channels, locales, currencies ------------------------------------------------------------
    async def step_channels(self) -> None:
        channels = await self.client.channels()
        info = next((c for c in channels if c.get("code") == self.job.channel.code), None)
        if info is None:
            raise StepFailed(f"Channel {self.job.channel.code} no longer exists in UnoPim; click Refresh channels.")
        self.job.state.channel_info = info
        self._channels = channels
        self.job.started_at = self.client.server_now() - self.job.WATERMARK_MARGIN
        self.run.counted("channels", len(channels))

    async def step_locales(self) -> None:
        self._locales = await self.client.locales()
        self.run.counted("locales", sum(1 for loc in self._locales if loc.get("status")))

    async def step_currencies(self) -> None:
        currencies = await self.client.currencies()
        await self.job.lane.run(stores_repo.replace_settings_cache, self.job.address, self._channels, self._locales,
                            currencies)
        # Which of the channel's locales and currencies reach the store, and how (#18).
        await self.job.learn_reach()
        self.run.counted("currencies", sum(1 for c in currencies if c.get("status")))

    # -- 4-8: attribute groups, attributes, options, families, reference entities ----------------------
    async def step_attribute_groups(self) -> None:
        groups = await self.client.list_all("/attribute-groups")
        self.run.counted("attribute_groups", len(groups))

    async def step_attributes(self) -> None:
        # Families are read here (not in their own step) so the mapping can be checked against UnoPim as
        # it is now before the first store write (attribute options, next).
        raw, self._raw_families = await asyncio.gather(self.client.list_all("/attributes"),
                                                       self.client.list_all("/families"))
        self._raw_attributes = raw
        self.job.state.attributes = attribute_defs(raw, self._raw_families)
        await check_mapping(self.job.lane, self.job.address, self.job.channel, self.job.state.attributes,
                            self._raw_families, self.job.store_kind)
        # Variant axes: read the configurable products' super attributes (and the options in use).
        self.job.features = await self.client.features()
        if self.job.options.full:
            configurables = variants = 0
            async for page in self.client.iter_pages(self.job.configurable_path):
                self.job.learn_axes(page)
                configurables += len(page)
                variants += sum(len(item.get("variants") or ()) for item in page)
            # The whole catalogue's totals, before the first product is written (a resumed run too): UnoPim's
            # list answer carries its `total`; the configurable products list their variants.
            listed = await self.client.list_total("/products")
            self.run.step_total("products", configurables + max(0, listed - variants))
            self.run.step_total("variants", variants)
        else:
            # A delta reads only the configurable products changed since the last pull, and keeps them
            # for the products step; the axes of the others are already store attributes (their links),
            # and a changed variant of an unchanged parent reads that parent alone (`axes_of`).
            self.job.state.changed_configurables = []
            async for _n, items in self.job.products.listing.pages(self.job.configurable_path):
                self.job.learn_axes(items)
                self.job.state.changed_configurables.append(items)
            await self.job.products.listing.delta_totals()
        self.run.counted("attributes", len(raw))



    async def step_attribute_options(self) -> None:
        mapping = await self._build_mapping()
        wanted = self._store_attribute_codes(mapping)
        labelled = {c for c in wanted} | {
            code for code in (*mapping.core.values(), *(r.attribute_code for r in mapping.rows))
            if code and self.job.state.attributes.get(code) and self.job.state.attributes[code].type in SELECT_LIKE
        }
        for code in sorted(labelled):
            if self.job.state.attributes.get(code) is None or self.job.state.attributes[code].type not in SELECT_LIKE:
                continue
            options = await self.client.get_json(f"/attributes/{code}/options")
            mapping.option_labels[code] = {
                str(o.get("code")): dict(o.get("labels") or {}) for o in options or [] if isinstance(o, dict)
            }
        self.run.step_total("attribute_options", len(wanted))
        to_write: list[StoreAttribute] = []
        for code in sorted(wanted):
            name = mapping.store_attribute_name(code)
            labels = mapping.option_labels.get(code, {})
            terms = [StoreTerm(name=mapping.option_label(code, opt), translations={
                lang: StoreTranslation(name=mapping.option_label(code, opt, chain))
                for lang, chain in mapping.languages.items()}) for opt in labels]
            attr = StoreAttribute(name=name, slug=_slug(code), terms=terms)
            link = self.job.link("attribute", code)
            if link and link.content_hash == content_hash(attr):
                mapping.attribute_ids[name] = link.store_id
                self.run.count("attribute", "unchanged")
                self.run.advance("attribute_options")
                continue
            if link:
                attr.store_id = link.store_id
            to_write.append(attr)
        if to_write:
            await self._write_attributes(to_write, mapping)
        self.run.advance("attribute_options", len(to_write),
                         f"{sum(len(v) for v in mapping.option_labels.values())} options")

    async def _write_attributes(self, attrs: list[StoreAttribute], mapping: PullMapping) -> None:
        for a in attrs:
            self.run.record_change("attribute", a.name, "update" if a.store_id else "create",
                                   {"terms": (None, [t.name for t in a.terms])}, content_hash(a))
        if self.job.options.dry_run:
            for a in attrs:
                verb = "update" if a.store_id else "create"
                self.run.log(f"dry-run: would {verb} store attribute “{a.name}” with {len(a.terms)} term(s): "
                             f"{', '.join(t.name for t in a.terms[:8])}", entity_kind="attribute", entity=a.name,
                             action=f"would {verb}")
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
                self.run.failed_item("attribute", code, f"Store attribute “{a.name}” could not be written: "
                                     f"{r.error if r else 'no answer'}", status=r.status if r else None,
                                     server_text=r.error if r else "")
                continue
            mapping.attribute_ids[a.name] = r.store_id
            failed_terms = [t for t in term_failures if t.key.startswith(f"{a.name}/")]
            for t in failed_terms:
                self.run.log(f"Term “{t.key}” could not be written: {t.error}", level="error",
                             entity_kind="attribute_option", entity=t.key, http_status=t.status,
                             server_text=t.error)
            for t in (*result.created, *result.updated):
                if t.key.startswith(f"{a.name}/"):
                    failed_terms += self._translation_outcome("attribute_option", t.key, t)
            outcome = "updated" if a.store_id else "created"
            self.run.wrote("attribute", code, outcome, f"Store attribute “{a.name}” {outcome} with {len(a.terms)} "
                           f"term(s) (id {r.store_id}).")
            writes.append(LinkWrite("attribute", code, r.store_id,
                                    content_hash=None if failed_terms else content_hash(a), pulled=True))
        await self.job.commit(writes)

    async def step_families(self) -> None:
        families = self._raw_families  # read with the attributes
        for f in families:
            self.job.state.families[f["code"]] = {
                a["code"] for g in f.get("attribute_groups") or [] for a in g.get("custom_attributes") or []
            }
        self.run.counted("families", len(families))

    async def step_reference_entities(self) -> None:
        # UnoPim's REST API (1.x to 3.0) has no reference-entity endpoints; nothing to read.
        self.run.step_total("reference_entities", 0)
        self.run.log("Reference entities: this UnoPim exposes none through its REST API; skipped.",
                     entity_kind="reference")

    # -- 9: categories ---------------------------------------------------------------------------------
    async def step_categories(self) -> None:
        mapping = self.job.state.mapping
        assert mapping is not None
        categories = await self.client.list_all("/categories")
        mapped = await self.job.lane.run(mapping_repo.category_mapping, self.job.address, self.job.channel.code)
        create_missing = await self.job.lane.run(mapping_repo.categories_create_missing, self.job.address, self.job.channel.code)
        for row in mapped:  # the merchant's own pairs win
            mapping.category_ids[row.category_code] = row.store_category_id
        by_code = {c["code"]: c for c in categories}
        root = self.job.state.channel_info.get("root_category") or self.job.channel.root_category
        loops = category_loops(by_code)
        for code, loop in loops.items():
            self.run.count("category", "skipped")
            self.run.log(f"Category {code} not pulled: its parents form a loop ({loop}); set another parent in "
                         "UnoPim.", level="warning", entity_kind="category", entity=code)
        by_code = {code: c for code, c in by_code.items() if code not in loops}
        depth: dict[str, int] = {}

        def depth_of(code: str) -> int:
            if code not in depth:
                parent = (by_code.get(code) or {}).get("parent")
                depth[code] = 0 if not parent or parent not in by_code else depth_of(parent) + 1
            return depth[code]

        in_tree = [c for c in categories if c["code"] != root and c["code"] in by_code
                   and _under(c["code"], root, by_code)]
        self.run.step_total("categories", len(in_tree))
        for level in sorted({depth_of(c["code"]) for c in in_tree}):
            handled = 0
            batch: list[tuple[str, StoreCategory]] = []
            for c in (c for c in in_tree if depth_of(c["code"]) == level):
                handled += 1
                code = c["code"]
                if code in mapping.category_ids and not self.job.link("category", code):
                    self.run.count("category", "unchanged")  # mapped by hand onto an existing store category
                    continue
                if not create_missing and not self.job.link("category", code):
                    self.run.count("category", "skipped")
                    continue
                parent = c.get("parent")
                cat = StoreCategory(
                    name=category_name(c, mapping.locales) or code, slug=_slug(code),
                    parent_store_id=mapping.category_ids.get(parent) if parent and parent != root else None,
                    description=category_text(c, mapping.locales, "description"),
                    translations=category_translations(c, mapping),
                )
                link = self.job.link("category", code)
                if link and link.content_hash == content_hash(cat):
                    mapping.category_ids[code] = link.store_id
                    self.run.count("category", "unchanged")
                    continue
                cat.store_id = link.store_id if link else None
                for lang, text in cat.translations.items():
                    held = self.job.link(TRANSLATION_KIND, translation_code("category", code, lang))
                    text.store_id = held.store_id if held else None
                batch.append((code, cat))
            await self._write_categories(batch, mapping)
            self.run.advance("categories", handled)

    async def _write_categories(self, batch: list[tuple[str, StoreCategory]], mapping: PullMapping) -> None:
        if not batch:
            return
        for code, cat in batch:
            self.run.record_change("category", code, "update" if cat.store_id else "create",
                                   field_changes(None, cat), content_hash(cat))
        if self.job.options.dry_run:
            for code, cat in batch:
                verb = "update" if cat.store_id else "create"
                self.run.log(f"dry-run: would {verb} category “{cat.name}”", entity_kind="category", entity=code,
                             action=f"would {verb}")
                self.run.count("category", "updated" if cat.store_id else "created")
            return
        result = await self.adapter.upsert_categories([cat for _, cat in batch])
        answers = {r.key: r for r in (*result.created, *result.updated)}
        writes = []
        for code, cat in batch:
            r = answers.get(cat.slug) or answers.get(cat.name)
            if r is None or not r.ok or not r.store_id:
                self.run.failed_item("category", code, f"Category “{cat.name}” could not be written: "
                                     f"{r.error if r else 'no answer'}", status=r.status if r else None,
                                     server_text=r.error if r else "")
                continue
            mapping.category_ids[code] = r.store_id
            if r.note:  # e.g. a name shortened to the store's limit, an existing category adopted
                self.run.log(f"Category “{cat.name}”: {r.note}", entity_kind="category", entity=code)
            outcome = "updated" if cat.store_id else "created"
            self.run.wrote("category", code, outcome, f"Category “{cat.name}” {outcome} (id {r.store_id}).")
            failed = self._translation_outcome("category", code, r)
            writes.append(LinkWrite("category", code, r.store_id, content_hash=None if failed else content_hash(cat),
                                    pulled=True))
            writes += [LinkWrite(TRANSLATION_KIND, translation_code("category", code, lang), tid, parent_code=code)
                       for lang, tid in r.translation_ids.items() if tid]
        await self.job.commit(writes)

    def _translation_outcome(self, kind: str, code: str, r: Any) -> list[Any]:
        """Log the translations the store refused (the entity is written again on the next run)."""
        for lang, why in r.translation_errors.items():
            self.run.count("translation", "failed")
            self.run.log(f"The {lang} translation of {kind.replace('_', ' ')} {code} was not written: {why}",
                         level="error", entity_kind=kind, entity=code, server_text=why)
        return [r] if r.translation_errors else []

    # -- mapping ---------------------------------------------------------------------------------------
    async def _build_mapping(self) -> PullMapping:
        self.job.state.mapping = await self.job.mapping_view(self.job.state.attributes)
        for sku_axes in self.job.state.axes.values():
            for code in sku_axes:
                self.job.state.mapping.axis_names.setdefault(code, self.job.state.mapping.store_attribute_name(code))
        for (kind, code), link in self.job.links.items():
            if kind == "attribute":
                self.job.state.mapping.attribute_ids[self.job.state.mapping.store_attribute_name(code)] = link.store_id
            elif kind == "category":
                self.job.state.mapping.category_ids[code] = link.store_id
        return self.job.state.mapping

    def _store_attribute_codes(self, mapping: PullMapping) -> set[str]:
        codes = {c for axes in self.job.state.axes.values() for c in axes}
        if not self.job.options.full:  # the axes of configurable products this delta did not read
            codes |= {code for kind, code in self.job.links if kind == "attribute" and code in self.job.state.attributes}
        codes |= {r.attribute_code for r in mapping.rows
                  if r.carrier == "attribute" and r.attribute_code in self.job.state.attributes}
        return codes


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

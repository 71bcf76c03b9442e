"""Push step: categories (store → UnoPim), level by level, with write-back deletes. A part of `PushJob`."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from unopim_desktop.clients.errors import ApiError, NotFound, RouteNotFound
from unopim_desktop.domain import StoreCategory, shorten
from unopim_desktop.state.sync_repo import LinkRow, LinkWrite
from unopim_desktop.sync.changes import content_hash, cooldown_reason
from unopim_desktop.sync.job import JobPart
from unopim_desktop.sync.transform.equality import same_text
from unopim_desktop.sync.transform.to_store import category_name, category_text
from unopim_desktop.sync.transform.to_unopim import attribute_code_of

if TYPE_CHECKING:
    from unopim_desktop.sync.push.job import PushJob

# WooCommerce's placeholder category for products without one: not catalogue data.
STORE_DEFAULT_CATEGORY_SLUGS = frozenset({"uncategorized"})


class CategoryPush(JobPart):
    job: PushJob

    async def step_categories(self) -> None:
        """New categories, and those whose store hash changed (renamed, moved, new description), and
        deletes: categories carry no modification date, but the store lists them whole on every push, so
        every push compares them. UnoPim's categories are listed only when one needs a comparison."""
        listed: dict[str, dict[str, Any]] | None = None
        listing = asyncio.Lock()

        async def unopim_categories() -> dict[str, dict[str, Any]]:
            nonlocal listed
            async with listing:
                if listed is None:
                    listed = {c["code"]: c for c in await self.client.list_all("/categories")}
            return listed

        store_categories = await self.adapter.list_categories()
        by_id = {c.store_id: c for c in store_categories}

        def depth(c: StoreCategory) -> int:
            n, seen = 0, set()
            while c.parent_store_id and c.parent_store_id in by_id and c.parent_store_id not in seen:
                seen.add(c.parent_store_id)
                c, n = by_id[c.parent_store_id], n + 1
            return n

        self.run.step_total("categories", len(store_categories))

        async def one(sc: StoreCategory) -> LinkWrite | None:
            self.run.advance("categories")
            if sc.store_id is None:
                return None
            code = self.job.m.category_codes.get(sc.store_id)
            if code is None and sc.slug in STORE_DEFAULT_CATEGORY_SLUGS:
                self.job.skipped("category", sc.name, "the store's default category is a placeholder, not catalogue data")
                return None
            # What the push carries (not `extra`: its product count moves with every assignment).
            store_hash = content_hash({"name": sc.name, "slug": sc.slug, "description": sc.description,
                                       "parent": sc.parent_store_id})
            if code is not None:
                link = self.job.link("category", code)
                if link and link.store_id == sc.store_id and link.store_hash == store_hash:
                    self.run.count("category", "unchanged")
                    return None
            code = code or attribute_code_of(sc.slug or sc.name)
            parent = self.job.m.category_codes.get(sc.parent_store_id) if sc.parent_store_id else self.job.root
            written = await self._push_category(code, sc, parent or self.job.root, (await unopim_categories()).get(code))
            if written in ("", "skipped"):
                return None
            self.job.m.category_codes[sc.store_id] = code
            self.job.m.view.category_ids[code] = sc.store_id
            return LinkWrite("category", code, sc.store_id, store_hash=store_hash, pushed=written == "pushed")

        # Level by level (a child needs its parent in UnoPim), the categories of one level side by side.
        levels: dict[int, list[StoreCategory]] = {}
        for sc in store_categories:
            levels.setdefault(depth(sc), []).append(sc)
        sem = asyncio.Semaphore(self.job.options.in_flight)

        async def bounded(sc: StoreCategory) -> LinkWrite | None:
            async with sem:
                return await one(sc)

        writes: list[LinkWrite] = []
        for level in sorted(levels):
            self.run.cancel.check()
            writes += [w for w in await asyncio.gather(*(bounded(sc) for sc in levels[level])) if w]
        await self.job.commit(writes)
        present = {c.store_id for c in store_categories}
        gone = [(code, link) for (kind, code), link in self.job.links.items()
                if kind == "category" and link.store_id not in present]
        if gone:
            await self._deleted_categories(gone, await unopim_categories())

    async def _deleted_categories(self, gone: list[tuple[str, LinkRow]], unopim: dict[str, dict[str, Any]]) -> None:
        """Linked categories gone from the store were deleted permanently (terms have no trash): with
        write-back deletes on, delete them in UnoPim too; otherwise UnoPim keeps them."""
        deletes: list[tuple[str, str]] = []
        # Children first: UnoPim refuses to delete a category that still has children.
        for code, _link in sorted(gone, key=lambda g: -_depth(g[0], unopim)):
            if not self.job.options.writeback_delete:
                self.job.skipped("category", code, "deleted in the store; write-back deletes are off, so UnoPim keeps it")
                continue
            if self.job.options.dry_run:
                self.run.log(f"dry-run: would delete category {code} in UnoPim", entity_kind="category", entity=code)
                self.run.count("category", "deleted")
                continue
            try:
                await self.client.delete_category(code)
            except RouteNotFound as exc:  # not "already gone": this UnoPim cannot delete it through its API
                self.job.item_failed("category", code, exc, " (delete)")
                continue
            except NotFound:
                pass  # already gone: what a delete wants
            except ApiError as exc:
                self.job.item_failed("category", code, exc, " (delete)")
                continue
            self.run.log(f"Category {code} was deleted in the store, so it was deleted in UnoPim too.",
                         entity_kind="category", entity=code, action="deleted")
            self.run.count("category", "deleted")
            deletes.append(("category", code))
        await self.job.commit([], deletes=deletes)

    async def _push_category(self, code: str, sc: StoreCategory, parent: str, current: dict[str, Any] | None) -> str:
        """'pushed', 'unchanged', 'skipped' (cooldown) or '' (failed or dry run)."""
        locale = self.job.m.locale
        locales = self.job.m.view.locales
        texts: dict[str, Any] = {"name": sc.name}
        if current is not None:
            link = self.job.link("category", code)
            echo = cooldown_reason(link.pulled_at if link else None, self.job.debounce_s, "pulled from UnoPim")
            if echo:
                self.job.skipped("category", code, echo)
                return "skipped"
            name = category_name(current, locales) or code
            desc = category_text(current, locales, "description")
            # A name longer than the store takes was shortened by the pull: that is no rename.
            shown = shorten(name, getattr(self.adapter, "category_name_max", None))
            if same_text(shown, sc.name) and same_text(desc, sc.description) and current.get("parent") == parent:
                self.run.count("category", "unchanged")
                return "unchanged"
            mine = ((current.get("additional_data") or {}).get("locale_specific") or {}).get(locale) or {}
            if desc or sc.description:
                texts["description"] = sc.description
            body = {"parent": parent, "additional_data": {"locale_specific": {locale: {**mine, **texts}}}}
            verb = "update"
        else:
            if sc.description:
                texts["description"] = sc.description
            body = {"code": code, "parent": parent, "additional_data": {"locale_specific": {locale: texts}}}
            verb = "create"
        if self.job.options.dry_run:
            self.run.log(f"dry-run: would {verb} category {code} (“{sc.name}”, parent {parent})",
                         entity_kind="category", entity=code)
            self.run.count("category", "created" if verb == "create" else "updated")
            return ""
        try:
            if verb == "create":
                await self.client.create_category(body)
            else:
                await self.client.patch_category(code, body)
        except ApiError as exc:
            self.job.item_failed("category", code, exc)
            return ""
        outcome = "created" if verb == "create" else "updated"
        self.run.wrote("category", code, outcome, f"Category {code} (“{sc.name}”) {outcome} in UnoPim.")
        return "pushed"


def _depth(code: str, unopim: dict[str, dict[str, Any]]) -> int:
    n, seen = 0, set()
    while code in unopim and code not in seen:
        seen.add(code)
        code = unopim[code].get("parent") or ""
        n += 1
    return n

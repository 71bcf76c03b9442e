"""Field mapping use cases for the Mapping tab and `unopim-desktop mapping …`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from unopim_desktop.app.channels import ChannelService
from unopim_desktop.app.context import AppContext
from unopim_desktop.app.events import LOGS, MAPPING, changed
from unopim_desktop.app.stores import StoreService
from unopim_desktop.domain import (
    SHARED_FIELDS,
    AttributeDef,
    AttributeRow,
    CategoryRow,
    ChannelRow,
    StoreCategory,
)
from unopim_desktop.mapping.automap import Filled, automap_attributes, automap_core
from unopim_desktop.mapping.fields import CORE_FIELDS, STATUS_PSEUDO_ATTRIBUTE
from unopim_desktop.mapping.rules import (
    MappingProblem,
    check_attribute_row,
    check_attribute_rows,
    check_core_directions,
    check_core_field,
    check_core_mapping,
)
from unopim_desktop.state import mapping_repo, repo
from unopim_desktop.stores.kind import StoreKind
from unopim_desktop.stores.registry import KINDS, store_kind
from unopim_desktop.sync.events import EventBus


class MappingRefused(ValueError):
    def __init__(self, problems: list[MappingProblem]) -> None:
        super().__init__("; ".join(f"{p.row}: {p.message}" for p in problems))
        self.problems = problems


@dataclass
class CoreMapping:
    rows: dict[str, str]  # core field key -> attribute code ("" = unmapped)
    default_family: str
    attributes: dict[str, AttributeDef]
    families: list[str]
    filled: list[Filled] = field(default_factory=list)
    # core field key -> both | pull | push (a row missing here flows both ways); see `sync.merge`
    directions: dict[str, str] = field(default_factory=dict)
    # The store kind whose rows these are ("": every kind's). The core mapping is one per UnoPim address; a
    # row applies to the channels whose store holds it, so a kind's view holds the shared rows and its own,
    # and saving it leaves the other kinds' rows as they were.
    kind: str = ""


def kind_fields(kind: str) -> list[str]:
    """The core rows of a store kind ("": of every kind), in the Mapping tab's order."""
    held = store_kind(kind).core_fields if kind else None
    return [f.key for f in CORE_FIELDS if held is None or f.key in held]


@dataclass
class StoreCategoryNode:
    store_id: int
    name: str
    depth: int
    category_code: str = ""


class MappingService:
    def __init__(self, ctx: AppContext, channels: ChannelService, stores: StoreService,
                 bus: EventBus | None = None) -> None:
        self.ctx = ctx
        self.channels = channels
        self.stores = stores
        self.bus = bus or EventBus()

    async def _address(self) -> str:
        return await self.channels.address()

    async def attributes(self, *, refresh_if_empty: bool = True) -> dict[str, AttributeDef]:
        address = await self._address()
        defs = await self.ctx.lane.run(mapping_repo.attribute_defs, address)
        if not defs and refresh_if_empty:
            await self.channels.refresh()
            defs = await self.ctx.lane.run(mapping_repo.attribute_defs, address)
        return {STATUS_PSEUDO_ATTRIBUTE.code: STATUS_PSEUDO_ATTRIBUTE, **defs}

    # -- store kinds -------------------------------------------------------------------------------
    def store_kinds(self) -> list[StoreKind]:
        return list(KINDS.values())

    async def channel_kind(self, channel: str) -> str:
        """The kind of the channel's store ("" when it has none)."""
        label = await self._store_label(channel)
        return await self._kind_of(label) if label else ""

    async def store_kinds_in_use(self) -> list[str]:
        """The kinds of the stores channels sync with, in channel order (the Core fields tab starts with the
        first)."""
        kinds: list[str] = []
        for row in await self.channels.channels():
            kind = await self._kind_of(row.store_label) if row.store_label else ""
            if kind and kind not in kinds:
                kinds.append(kind)
        return kinds

    async def _kind_of(self, label: str) -> str:
        for store in await self.stores.list():
            if store.label == label:
                return store.kind
        return ""

    # -- core fields -------------------------------------------------------------------------------
    async def core(self, kind: str = "") -> CoreMapping:
        """The saved core mapping: every kind's rows, or (`kind`) the rows its channels use."""
        address = await self._address()
        attrs = await self.attributes()
        rows = await self.ctx.lane.run(mapping_repo.core_mapping, address)
        return CoreMapping(
            rows={key: rows.get(key, "") for key in kind_fields(kind)},
            default_family=await self.ctx.lane.run(mapping_repo.default_family, address),
            attributes=attrs,
            families=await self.ctx.lane.run(mapping_repo.family_codes, address),
            directions=await self.ctx.lane.run(mapping_repo.core_directions, address),
            kind=kind,
        )

    async def automap_core(self, mapping: CoreMapping | None = None) -> CoreMapping:
        """Fill empty rows (not saved). Also proposes the `default` family when none is set. An attribute is
        used once among the rows that apply together: the shared rows and each kind's own."""
        mapping = mapping or await self.core()
        kinds = [store_kind(mapping.kind)] if mapping.kind else self.store_kinds()
        rows, filled = dict(mapping.rows), []
        for group in [frozenset(SHARED_FIELDS), *(k.core_fields for k in kinds)]:
            rows, more = automap_core(rows, mapping.attributes, check=check_core_field, fields=group & set(rows))
            filled += more
        family = mapping.default_family or ("default" if "default" in mapping.families else "")
        return CoreMapping(rows, family, mapping.attributes, mapping.families, filled, dict(mapping.directions),
                           kind=mapping.kind)

    def check_core(self, mapping: CoreMapping) -> list[MappingProblem]:
        """The rules of Save: for one kind's rows, or (no kind) for each kind's rows in turn."""
        problems: list[MappingProblem] = []
        kinds = [store_kind(mapping.kind)] if mapping.kind else self.store_kinds()
        for kind in kinds:
            rows = mapping.rows if mapping.kind else {k: v for k, v in mapping.rows.items() if kind.holds(k)}
            for p in check_core_mapping(rows, mapping.default_family, mapping.attributes, mapping.families, kind):
                if p not in problems:
                    problems.append(p)
        return problems + check_core_directions(mapping.directions)

    async def is_saved(self) -> bool:
        """Whether a core mapping was ever saved for this UnoPim (no run starts without one)."""
        return bool(await self.ctx.lane.run(mapping_repo.core_mapping, await self._address()))

    async def apply_defaults(self) -> CoreMapping:
        """Auto-map the empty core rows (and propose the `default` family) and save: what Apply defaults +
        Save do on the Core fields tab. MappingRefused when the result still cannot work."""
        mapping = await self.automap_core()
        await self.save_core(mapping)
        return mapping

    async def save_core(self, mapping: CoreMapping) -> None:
        problems = self.check_core(mapping)
        if problems:
            raise MappingRefused(problems)
        address = await self._address()
        await self.ctx.lane.run(mapping_repo.save_core_mapping, address, mapping.rows, mapping.default_family,
                                {k: v for k, v in mapping.directions.items() if v != "both"},
                                only=kind_fields(mapping.kind) if mapping.kind else None)
        await self.ctx.lane.run(repo.add_log, address, "Core field mapping saved.", category="mapping")
        self.bus.emit(changed(MAPPING, LOGS))

    # -- attributes --------------------------------------------------------------------------------
    async def store_attribute_names(self, channel: str) -> list[str]:
        """The channel's store attributes (global attributes / option names), from the store itself."""
        label = await self._store_label(channel)
        if not label:
            return []
        adapter = await self.stores.adapter(label)
        try:
            return [a.name for a in await adapter.list_attributes()]
        finally:
            await adapter.aclose()

    async def _store_label(self, channel: str) -> str | None:
        rows = await self.channels.channels()
        for r in rows:
            if r.code == channel:
                return r.store_label
        raise LookupError(f"Unknown channel “{channel}”; click Refresh channels.")

    async def attribute_rows(self, channel: str, locale: str, *, with_store: bool = True) -> list[AttributeRow]:
        address = await self._address()
        saved = await self.ctx.lane.run(mapping_repo.attribute_mapping, address, channel, locale)
        names = await self.store_attribute_names(channel) if with_store else []
        known = {r.store_attribute for r in saved}
        kind = await self.channel_kind(channel) if names else ""
        # Where products hold no attributes besides variant options (BigCommerce), the store's names are options.
        axes = bool(kind) and not store_kind(kind).product_attributes
        return saved + [AttributeRow(n, "", "attribute", axes) for n in names if n not in known]

    async def automap_attribute_rows(self, rows: list[AttributeRow], channel: str = ""
                                     ) -> tuple[list[AttributeRow], list[Filled]]:
        attrs = await self.attributes()
        core = await self.ctx.lane.run(mapping_repo.core_mapping, await self._address())
        current = {r.store_attribute: r.attribute_code for r in rows}
        kind = await self.channel_kind(channel) if channel else ""
        store = store_kind(kind) if kind else None

        def check(row: str, attr: AttributeDef) -> str | None:
            r = next(x for x in rows if x.store_attribute == row)
            return check_attribute_row(row, attr, r.carrier, r.variant_axis, store)

        filled_map, filled = automap_attributes(
            [r.store_attribute for r in rows], current, attrs, exclude=[c for c in core.values() if c] + ["status"],
            check=check,
        )
        out = [replace(r, attribute_code=filled_map[r.store_attribute]) for r in rows]
        return out, filled

    async def save_attribute_rows(self, channel: str, locale: str, rows: list[AttributeRow]) -> None:
        """Refused (MappingRefused) unless every row works for UnoPim and for the kind of the channel's store."""
        kind = await self.channel_kind(channel)
        problems = check_attribute_rows(rows, await self.attributes(), store_kind(kind) if kind else None)
        if problems:
            raise MappingRefused(problems)
        address = await self._address()
        await self.ctx.lane.run(mapping_repo.save_attribute_mapping, address, channel, locale, rows)
        await self.ctx.lane.run(repo.add_log, address, f"Attribute mapping saved for {channel} / {locale}.",
                                category="mapping")
        self.bus.emit(changed(MAPPING, LOGS))

    # -- categories --------------------------------------------------------------------------------
    async def store_category_tree(self, channel: str) -> list[StoreCategoryNode]:
        label = await self._store_label(channel)
        if not label:
            return []
        adapter = await self.stores.adapter(label)
        try:
            categories = await adapter.list_categories()
        finally:
            await adapter.aclose()
        saved = {r.store_category_id: r.category_code
                 for r in await self.ctx.lane.run(mapping_repo.category_mapping, await self._address(), channel)}
        return [StoreCategoryNode(c.store_id or 0, c.name, depth, saved.get(c.store_id or 0, ""))
                for c, depth in _depth_first(categories)]

    async def unopim_categories(self) -> list[dict]:
        return await self.ctx.lane.run(mapping_repo.unopim_categories, await self._address())

    async def save_categories(self, channel: str, rows: list[CategoryRow], *, create_missing: bool) -> None:
        known = {c["code"] for c in await self.unopim_categories()}
        problems = [MappingProblem(r.store_category_name, f"“{r.category_code}” is not a UnoPim category.")
                    for r in rows if r.category_code and r.category_code not in known]
        if problems:
            raise MappingRefused(problems)
        address = await self._address()
        await self.ctx.lane.run(mapping_repo.save_category_mapping, address, channel, rows,
                                create_missing=create_missing)
        await self.ctx.lane.run(repo.add_log, address, f"Category mapping saved for {channel}.", category="mapping")
        self.bus.emit(changed(MAPPING, LOGS))

    async def channel_rows(self) -> list[ChannelRow]:
        return await self.channels.channels()

    async def categories_create_missing(self, channel: str) -> bool:
        """Whether the pull creates store categories for UnoPim categories no store category is mapped to."""
        return await self.ctx.lane.run(mapping_repo.categories_create_missing, await self._address(), channel)

    async def refresh_unopim_lists(self) -> None:
        """Re-read attributes, families and categories from UnoPim (Refresh on the Categories panel)."""
        await self.channels.refresh()


def _depth_first(categories: list[StoreCategory]) -> list[tuple[StoreCategory, int]]:
    children: dict[int | None, list[StoreCategory]] = {}
    ids = {c.store_id for c in categories}
    for c in categories:
        parent = c.parent_store_id if c.parent_store_id in ids else None
        children.setdefault(parent, []).append(c)
    out: list[tuple[StoreCategory, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for c in sorted(children.get(parent, []), key=lambda x: x.name.lower()):
            out.append((c, depth))
            walk(c.store_id, depth + 1)

    walk(None, 0)
    return out

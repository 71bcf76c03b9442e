"""Before a run writes anything, the mapping it will use must still work with what UnoPim holds now.

A mapping that was never saved, or that went stale since (its attribute deleted in UnoPim, a price
mapped to a text attribute, a required row left empty), would rename every product to its SKU and blank
its price. The run refuses instead, with the same rules as Save (`mapping.rules`), and says which rows
to change.
"""

from __future__ import annotations

from typing import Any

from unopim_desktop.domain import AttributeDef, ChannelRow
from unopim_desktop.mapping.fields import CORE_FIELD_BY_KEY, STATUS_PSEUDO_ATTRIBUTE
from unopim_desktop.mapping.rules import MappingProblem, check_attribute_rows, check_core_mapping
from unopim_desktop.state import mapping_repo
from unopim_desktop.state.db import DbLane
from unopim_desktop.stores.kind import StoreKind

NOT_SAVED = "No field mapping has been saved for this UnoPim yet, so nothing was written."
NOT_SAVED_FIX = ("Open Mapping → Core fields, click Apply defaults and Save (or run `unopim-desktop mapping "
                 "auto`), then run again.")
STALE_FIX = ("Change these rows on the Mapping tab and Save (`unopim-desktop mapping show` lists the mapping; "
             "`unopim-desktop mapping auto` fills empty rows), then run again.")


class MappingRefused(Exception):
    """The run did not start writing: its mapping cannot work. `reason` and `fix` are for the merchant."""

    def __init__(self, reason: str, fix: str, problems: list[MappingProblem] | None = None) -> None:
        super().__init__(f"{reason} {fix}")
        self.reason = reason
        self.fix = fix
        self.problems = problems or []


def _row_name(row: str) -> str:
    field = CORE_FIELD_BY_KEY.get(row)
    if field is not None:
        return field.label
    return "Default family" if row == "default_family" else f"Attribute “{row}”"


async def check_mapping(lane: DbLane, address: str, channel: ChannelRow, attributes: dict[str, AttributeDef],
                        raw_families: list[dict[str, Any]], store: StoreKind) -> None:
    """MappingRefused unless the saved core mapping and the channel's attribute rows (its default locale)
    pass every rule against UnoPim's current attributes and families, for the kind of the channel's store
    (`store`): the core rows it holds (another kind's rows apply to other channels: not this run's), and
    attribute rows it can carry. The rules of Save, so a mapping Save accepted is never refused here."""
    saved = await lane.run(mapping_repo.core_mapping, address)
    if not saved:
        raise MappingRefused(NOT_SAVED, NOT_SAVED_FIX)
    core = {k: v for k, v in saved.items() if store.holds(k)}
    family = await lane.run(mapping_repo.default_family, address)
    locale = channel.default_locale or (channel.locales or ["en_US"])[0]
    rows = await lane.run(mapping_repo.attribute_mapping, address, channel.code, locale)
    attrs = {STATUS_PSEUDO_ATTRIBUTE.code: STATUS_PSEUDO_ATTRIBUTE, **attributes}
    families = [f["code"] for f in raw_families]
    problems = check_core_mapping(core, family, attrs, families, store) + check_attribute_rows(rows, attrs, store)
    if problems:
        listed = "; ".join(f"{_row_name(p.row)}: {p.message}" for p in problems)
        raise MappingRefused(f"The field mapping does not work with this UnoPim any more, so nothing was written. "
                             f"{listed}", STALE_FIX, problems)

"""When a push leaves a store record alone: the cooldown after a pull, and a record the store has not
touched since the pull wrote it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from unopim_desktop.domain import StoreProduct, StoreVariant
from unopim_desktop.state.sync_repo import LinkRow
from unopim_desktop.sync.changes import cooldown_reason

if TYPE_CHECKING:
    from unopim_desktop.sync.push.job import PushJob


def untouched_since_pull(link: LinkRow, product: StoreProduct | StoreVariant, variants: list[StoreVariant],
                          job: PushJob) -> bool:
    """The pull wrote this record and the store has not modified it since: the store says what UnoPim
    said then, so pushing it could only undo a later edit made in UnoPim."""
    if link.pulled_at is None or (link.pushed_at is not None and link.pushed_at > link.pulled_at):
        return False
    stamps = [store_time(product.date_modified_gmt), *(store_time(v.date_modified_gmt) for v in variants)]
    stamps += [store_time(t.date_modified_gmt) for t in getattr(product, "translations", {}).values()]
    # Store stamps are whole seconds: an edit in the second of the pull's write looks no later than it,
    # so only a stamp from an earlier second proves the record untouched (else: compare, to be safe).
    last_pull = link.pulled_at.replace(microsecond=0)
    return all(s is not None and s < last_pull for s in stamps)


def store_time(text: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "")).replace(tzinfo=None)
    except ValueError:
        return None


def in_cooldown_reason(last_pull: dt.datetime | None, debounce_s: int) -> str:
    """Why a record the pull wrote moments ago is not pushed yet ("" when the cooldown is over)."""
    return cooldown_reason(last_pull, debounce_s, "pulled from UnoPim")

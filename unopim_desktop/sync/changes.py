"""Change detection: stable content hashes, and the cooldown that stops echo loops. Pure functions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from typing import Any

# Fields that change on every write or identify rather than describe: never part of a content hash.
VOLATILE = {"store_id", "date_modified_gmt", "parent_store_id", "images", "image"}


# Fields added to the neutral types later, left out of a hash while empty: the hashes of records that do not use
# them stay what they were (a new field must not make every linked record look changed).
OMITTED_WHEN_EMPTY = {"extra"}


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.name not in VOLATILE
                and not (f.name in OMITTED_WHEN_EMPTY and not getattr(obj, f.name))}
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


def content_hash(obj: Any) -> str:
    """Hash of what an entity says, independent of ids, timestamps and images (hashed separately)."""
    raw = json.dumps(_plain(obj), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def association_hash(up_ids: list[int], cross_ids: list[int], *, one_list: bool = False) -> str:
    """What a product's associations in the store were when both sides last agreed (the association
    link's hash). A store with one list (see `StoreAdapter.one_association_list`) is hashed as that list."""
    if one_list:
        return content_hash({"related": sorted({*up_ids, *cross_ids})})
    return content_hash({"up": up_ids, "cross": cross_ids})


def image_hash(srcs: list[str]) -> str:
    return hashlib.sha256("\n".join(srcs).encode()).hexdigest()[:32] if srcs else "none"


def in_cooldown(last_write: dt.datetime | None, debounce_s: int, now: dt.datetime) -> bool:
    """True while `now` is within `debounce_s` of the other direction's last write (0 turns it off)."""
    if last_write is None or debounce_s <= 0:
        return False
    return (now - last_write).total_seconds() < debounce_s


def cooldown_reason(last_write: dt.datetime | None, debounce_s: int, other_side: str) -> str:
    """Why a record the other direction wrote moments ago is left alone ("" when the cooldown is over).
    `other_side` says what that write was, e.g. "pushed to UnoPim"."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if last_write is None or not in_cooldown(last_write, debounce_s, now):
        return ""
    return (f"echo suppress: {other_side} {int((now - last_write).total_seconds())} s ago, inside the "
            f"{debounce_s} s cooldown")


def field_changes(before: Any, after: Any) -> dict[str, tuple[Any, Any]]:
    """Field-level preview of a write, for dry runs: {field: (old, new)}. `before` is what the store holds
    (None for a create: then the fields the write sets); a field the write empties is a change too."""
    new = _plain(after)
    if before is None:
        return {k: (None, v) for k, v in new.items() if v not in ("", [], {}, None)}
    old = _plain(before) if not isinstance(before, dict) else before
    return {k: (old.get(k), v) for k, v in new.items()
            if k in old and old.get(k) != v and not (old.get(k) in ("", None) and v in ("", None))}


def snapshot(obj: Any) -> dict[str, Any]:
    return _plain(obj)


# How many scope levels (channel, locale) sit between a UnoPim values bucket and its attributes.
_SCOPE_DEPTH = {"common": 0, "locale_specific": 1, "channel_specific": 1, "channel_locale_specific": 2,
                "associations": 0}


def value_changes(current: dict[str, Any] | None, fragment: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """UnoPim values a fragment would change, by scope path ("common.name", "channel_locale_specific.default.
    en_US.name"): {path: (old, new)}. Pure; for the Preview of a push."""
    out: dict[str, tuple[Any, Any]] = {}

    def walk(old: Any, new: Any, depth: int, path: str) -> None:
        if depth < 0 or not isinstance(new, dict):
            if old != new:
                out[path] = (old, new)
            return
        for key, value in new.items():
            walk(old.get(key) if isinstance(old, dict) else None, value, depth - 1, f"{path}.{key}")

    for bucket, content in fragment.items():
        before = (current or {}).get(bucket)
        if bucket in _SCOPE_DEPTH:
            walk(before, content, _SCOPE_DEPTH[bucket], bucket)
        elif before != content:
            out[bucket] = (before, content)
    return out

"""Change detection: stable content hashes, and the cooldown that stops echo loops. Pure functions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from typing import Any

# Fields that change on every write or identify rather than describe: never part of a content hash.
VOLATILE = {"store_id", "date_modified_gmt", "parent_store_id", "images", "image"}


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.name not in VOLATILE}
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


def content_hash(obj: Any) -> str:
    """Hash of what an entity says, independent of ids, timestamps and images (hashed separately)."""
    raw = json.dumps(_plain(obj), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


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


def changed_fields(before: dict[str, Any] | None, after: Any) -> dict[str, tuple[Any, Any]]:
    """Field-level preview of a change, for dry runs: {field: (old, new)}."""
    new = _plain(after)
    old = before or {}
    return {k: (old.get(k), v) for k, v in new.items() if old.get(k) != v and v not in ("", [], {}, None)}


def snapshot(obj: Any) -> dict[str, Any]:
    return _plain(obj)

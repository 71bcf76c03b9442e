"""Change detection: stable content hashes, and the cooldown that stops echo loops. Pure functions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from typing import Any

# Fields that change on every write or identify rather than describe: never part of a content hash.
VOLATILE = {"store_id", "date_modified_gmt", "parent_store_id", "images", "image", "translation_ids", "changed"}
# Added with translations and per-currency prices (#18): left out while empty, so the hash of everything
# synced before (one locale, one currency) stays what it was and an upgrade rewrites nothing.
WHEN_SET = {"translations", "prices"}


# Fields added to the neutral types later, left out of a hash while empty: the hashes of records that do not use
# them stay what they were (a new field must not make every linked record look changed).
OMITTED_WHEN_EMPTY = {"extra"}


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(value) for f in dataclasses.fields(obj) if f.name not in VOLATILE
                and ((value := getattr(obj, f.name)) or f.name not in WHEN_SET | OMITTED_WHEN_EMPTY)}
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
    (None for a create: then the fields the write sets); a field the write empties is a change too.
    Translations and other currencies show as their own fields (`name@fr`, `regular_price@EUR`)."""
    new = _flat(_plain(after))
    if before is None:
        return {k: (None, v) for k, v in new.items() if v not in ("", [], {}, None)}
    old = _flat(_plain(before) if not isinstance(before, dict) else before)
    for k in new:  # a translation or currency the store does not hold yet: each of its fields is new
        if "@" in k and k not in old:
            old[k] = ""
    return {k: (old.get(k), v) for k, v in new.items()
            if k in old and old.get(k) != v and not (old.get(k) in ("", None) and v in ("", None))}


def _flat(plain: dict[str, Any]) -> dict[str, Any]:
    """`translations` and `prices` spread into one field per language or currency (`name@fr`)."""
    out = {k: v for k, v in plain.items() if k not in WHEN_SET}
    for key in WHEN_SET:
        for code, fields in (plain.get(key) or {}).items():
            for name, value in (fields or {}).items():
                out[f"{name}@{code}"] = value
    return out


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
        if depth < 0 and _per_currency(new) and isinstance(old, dict):
            for currency, amount in new.items():  # a price: one change per currency (…price.EUR)
                if old.get(currency) != amount:
                    out[f"{path}.{currency}"] = (old.get(currency), amount)
            return
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


def _per_currency(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(
        isinstance(k, str) and len(k) == 3 and k.isalpha() and k.isupper() for k in value)

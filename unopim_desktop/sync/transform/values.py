"""Reading and wrapping UnoPim scoped values: the six buckets of `values`, pure functions.

A value lives in the bucket its attribute's flags say (unopim-api §6.1): neither flag → `common`;
per locale → `locale_specific[locale]`; per channel → `channel_specific[channel]`; both →
`channel_locale_specific[channel][locale]`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from unopim_desktop.domain import AttributeDef

BUCKETS = ("common", "locale_specific", "channel_specific", "channel_locale_specific")


def read_value(values: Mapping[str, Any], attr: AttributeDef, *, channel: str, locales: Iterable[str]) -> Any:
    """The attribute's value for a channel, trying `locales` in order (the fallback chain).
    None when absent."""
    scope = attr.scope
    if scope == "common":
        return (values.get("common") or {}).get(attr.code)
    if scope == "channel":
        return ((values.get("channel_specific") or {}).get(channel) or {}).get(attr.code)
    for locale in locales:
        if scope == "locale":
            bucket = (values.get("locale_specific") or {}).get(locale) or {}
        else:
            bucket = ((values.get("channel_locale_specific") or {}).get(channel) or {}).get(locale) or {}
        if attr.code in bucket and bucket[attr.code] not in (None, ""):
            return bucket[attr.code]
    return None


def wrap_scoped_value(
    attr: AttributeDef, value: Any, *, channels: Iterable[str], locales: Iterable[str]
) -> dict[str, Any]:
    """A `values` fragment carrying `value` in the attribute's bucket, once per channel and/or locale.

    Merging fragments (`merge_values`) builds a whole `values` object for a push.
    """
    scope = attr.scope
    chans, locs = list(channels), list(locales)
    if scope == "common":
        return {"common": {attr.code: value}}
    if scope == "locale":
        return {"locale_specific": {loc: {attr.code: value} for loc in locs}}
    if scope == "channel":
        return {"channel_specific": {ch: {attr.code: value} for ch in chans}}
    return {"channel_locale_specific": {ch: {loc: {attr.code: value} for loc in locs} for ch in chans}}


def merge_values(*fragments: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge `values` fragments (dicts merge key by key; later scalars win)."""
    out: dict[str, Any] = {}
    for frag in fragments:
        _merge_into(out, frag)
    return out


def _merge_into(target: dict[str, Any], source: Mapping[str, Any]) -> None:
    for key, value in source.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge_into(target[key], value)
        elif isinstance(value, Mapping):
            target[key] = {}
            _merge_into(target[key], value)
        else:
            target[key] = value


def price_amount(value: Any, currency: str) -> str:
    """A price attribute's amount in one currency, as the string UnoPim stores ("" when missing)."""
    if isinstance(value, Mapping):
        amount = value.get(currency)
        return "" if amount in (None, "") else str(amount)
    return ""


def split_codes(value: Any) -> list[str]:
    """Multiselect/checkbox/gallery values: comma-joined strings (or lists) → codes."""
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]

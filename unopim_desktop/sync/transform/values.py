"""Reading and wrapping UnoPim scoped values: the six buckets of `values`, pure functions.

A value lives in the bucket its attribute's flags say (unopim-api §6.1): neither flag → `common`;
per locale → `locale_specific[locale]`; per channel → `channel_specific[channel]`; both →
`channel_locale_specific[channel][locale]`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from unopim_desktop.domain import AttributeDef

BUCKETS = ("common", "locale_specific", "channel_specific", "channel_locale_specific")
# The scoped buckets and how many scope levels (channel, locale) sit above the attribute codes.
SCOPED_DEPTH = {"locale_specific": 1, "channel_specific": 1, "channel_locale_specific": 2}


def item_sku(item: Mapping[str, Any]) -> str:
    """A UnoPim product's SKU: its `common` value (what every version sends), else the top-level `sku`."""
    return str(((item.get("values") or {}).get("common") or {}).get("sku") or item.get("sku") or "")


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


# -- 3.x variant inheritance ---------------------------------------------------------------------------
def resolve_chain(chain: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The values UnoPim 3.x shows for the last node of a parent chain (root first), as its
    `VariantValueResolver::mergeChain` merges them (unopim-api §13.1): the nearer node wins; `common` key by
    key; `locale_specific` and `channel_specific` per locale / channel, then per key;
    `channel_locale_specific` per channel, per locale, then per key; `categories` from the nearest node
    that has the key; anything else (associations) is the leaf's own. The REST API returns only what each
    node stores, so a client resolves a variant itself."""
    common: dict[str, Any] = {}
    scoped: dict[str, dict[str, Any]] = {}
    categories: Any = None
    for values in chain:
        common.update(values.get("common") or {})
        for key, depth in SCOPED_DEPTH.items():
            scoped[key] = _overlay(scoped.get(key, {}), values.get(key) or {}, depth)
        if "categories" in values:
            categories = values["categories"]
    leaf = dict(chain[-1]) if chain else {}
    leaf["common"] = common
    leaf.update({key: bucket for key, bucket in scoped.items() if bucket})
    if categories is not None:
        leaf["categories"] = categories
    return leaf


def _overlay(carry: dict[str, Any], values: Any, depth: int) -> dict[str, Any]:
    if not isinstance(values, Mapping):
        return carry
    out = dict(carry)
    for key, nested in values.items():
        if not isinstance(nested, Mapping):
            continue  # PHP's mergeScope skips what is not an array
        out[key] = _overlay(out.get(key, {}), nested, depth - 1) if depth > 1 else {**out.get(key, {}), **nested}
    return out


def only_codes(values: Mapping[str, Any], codes: Collection[str]) -> dict[str, Any]:
    """`values` with only these attribute codes in each bucket (what a transform will read), so a parent
    kept to resolve its variants costs little memory. Categories and associations are left out."""
    out: dict[str, Any] = {}
    common = {k: v for k, v in (values.get("common") or {}).items() if k in codes}
    if common:
        out["common"] = common
    for key, depth in SCOPED_DEPTH.items():
        kept = _keep(values.get(key), codes, depth)
        if kept:
            out[key] = kept
    return out


def _keep(bucket: Any, codes: Collection[str], depth: int) -> dict[str, Any]:
    if not isinstance(bucket, Mapping):
        return {}
    out: dict[str, Any] = {}
    for scope, nested in bucket.items():
        kept = _keep(nested, codes, depth - 1) if depth > 1 else (
            {k: v for k, v in nested.items() if k in codes} if isinstance(nested, Mapping) else {})
        if kept:
            out[scope] = kept
    return out


def grouped_variants(configurable: Mapping[str, Any]) -> list[str]:
    """SKUs in a configurable product's `variants[]` that carry fewer axis values than its super attributes:
    3.x variant groups of a two-level variant structure (unopim-api §13.2), whose leaves no route reaches
    through this product. Empty for an ordinary configurable product."""
    supers = [a for a in configurable.get("super_attributes") or [] if a]
    if not supers:
        return []
    # A variant with no axis value at all is no group (a group carries its level's axes): it is a broken
    # variant, refused alone when the variants are written, while its siblings go on.
    return [str(v.get("sku") or "") for v in configurable.get("variants") or [] if isinstance(v, Mapping)
            and 0 < sum(1 for a in supers if (v.get("attributes") or {}).get(a) not in (None, "")) < len(supers)]

"""Three-way merge of a product's fields: what both sides last agreed on (the base), what the writing
side holds now, and what the written side holds now. Pure functions.

A polling app cannot hear the store's save events, so "different from the other side" says nothing about
who changed what. Against the base it does: a field changed on the writing side only is written; changed
on the other side only, it is left alone (it flows the other way on that side's run); changed on both, it
is a conflict, settled by the rule (UnoPim wins by default: it is the system of record) or left open for
the merchant. A field's direction (its mapping row: both, pull only, push only) names an owner: the
owning side's value is written whenever the two differ, and the other side never writes it.

Fields are those of the neutral store types (`StoreProduct`, `StoreVariant`), flattened: scalars by name,
`categories`, `tags`, one `attribute:<name>` per store attribute, one `meta:<key>` per custom field, one
`axis:<name>` per variation axis. Images, associations and ids travel apart and are not fields here.

Translations and other currencies are fields of the same base (#18): `name@fr`, `description@fr`,
`short_description@fr` per store language, `regular_price@EUR`, `sale_price@EUR` per store currency. So a
French name or a EUR price is merged on its own, like any field, and takes the direction of its field
(`name@fr` follows the Name row).
"""

from __future__ import annotations

import copy
import dataclasses
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from unopim_desktop.domain import (
    ProductAttributeValue,
    StorePrice,
    StoreProduct,
    StoreTranslation,
    StoreVariant,
)

# Not fields of a merge: ids, dates and what other steps write (images, associations, variations).
_SKIPPED = frozenset({"store_id", "date_modified_gmt", "parent_store_id", "images", "image", "upsell_ids",
                      "cross_sell_ids", "grouped_ids", "variants", "lang", "translation_of", "attributes", "meta",
                      "axes", "category_ids", "extra", "translations", "prices", "translation_ids"})
TRANSLATED = ("name", "description", "short_description")  # the fields of a `StoreTranslation`
PRICED = ("regular_price", "sale_price")  # the fields of a `StorePrice`

PULL, PUSH = "pull", "push"  # which side writes: the pull writes the store, the push writes UnoPim
UNOPIM_WINS, STORE_WINS, ASK = "unopim", "store", "ask"


def fields_of(obj: StoreProduct | StoreVariant) -> dict[str, Any]:
    """The mergeable fields of a product or variation, each normalised for comparison."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        if f.name not in _SKIPPED:
            out[f.name] = normalised(getattr(obj, f.name))
    if isinstance(obj, StoreProduct):
        out.update({key: normalised(value) for key, value in obj.extra.items()})  # by core key (see `owner_of`)
        out["categories"] = sorted(obj.category_ids)
        out["tags"] = sorted(normalised(t) for t in obj.tags)
        for a in obj.attributes:
            out[f"attribute:{a.name}"] = [normalised(o) for o in a.options]
    else:
        for name, option in obj.axes.items():
            out[f"axis:{name}"] = normalised(option)
    for key, value in obj.meta.items():
        out[f"meta:{key}"] = normalised(value)
    for lang, text in getattr(obj, "translations", {}).items():
        for name in TRANSLATED:
            out[f"{name}@{lang}"] = normalised(getattr(text, name))
    for currency, price in obj.prices.items():
        for name in PRICED:
            out[f"{name}@{currency}"] = normalised(getattr(price, name))
    return out


_SPACE = re.compile(r"\s+")
_TAG_SPACE = re.compile(r">\s+<")


def normalised(value: Any) -> Any:
    """A value as both sides mean it: numbers as numbers ("12.50" is 12.5), text without the whitespace and
    entity differences stores introduce, None and "" alike."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return _number(str(value))
    if isinstance(value, str):
        text = html.unescape(value).strip()
        number = _number(text)
        if number is not None and text:
            return number
        return _SPACE.sub(" ", _TAG_SPACE.sub("><", text))
    if isinstance(value, (list, tuple)):
        return [normalised(v) for v in value]
    if isinstance(value, dict):
        return {str(k): normalised(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    return value


def _number(text: str) -> str | None:
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return None
    try:
        return format(Decimal(text).normalize(), "f")
    except InvalidOperation:
        return None


@dataclass
class FieldConflict:
    field: str
    base: Any
    unopim: Any
    store: Any
    status: str  # open | unopim | store


@dataclass
class Merge:
    write: set[str] = field(default_factory=set)  # fields the writing side writes
    conflicts: list[FieldConflict] = field(default_factory=list)
    base: dict[str, Any] = field(default_factory=dict)  # what both sides agree on after the write

    @property
    def empty(self) -> bool:
        return not self.write


def three_way(base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any], *, side: str, rule: str,
              direction: Callable[[str], str] = lambda _f: "both") -> Merge:
    """What the writing side (`ours`: UnoPim's values on a pull, the store's on a push) writes over the other
    (`theirs`), field by field against `base`. `direction(field)` is the field's mapping direction."""
    merge = Merge(base=dict(base))
    ours_wins = (rule == UNOPIM_WINS) == (side == PULL)
    for name in sorted(set(ours) | set(theirs)):
        o, t = ours.get(name, ""), theirs.get(name, "")
        b = base.get(name, t)  # a field new to the base: as the written side holds it
        owner = direction(name)
        if owner not in ("both", side):
            merge.base[name] = b  # not this side's to write: its change flows the other way
            continue
        if owner == side:
            # The writing side owns it: its value stands, whatever the other side did (no conflict).
            if t != o:
                merge.write.add(name)
            merge.base[name] = o
            continue
        if o == b:
            continue  # not changed on the writing side: nothing to write (theirs keeps its own change)
        if t == o:
            merge.base[name] = o  # both sides made the same change
            continue
        if t == b:
            merge.write.add(name)  # changed on the writing side only
            merge.base[name] = o
            continue
        unopim, store = (o, t) if side == PULL else (t, o)
        if rule == ASK:
            merge.conflicts.append(FieldConflict(name, b, unopim, store, "open"))
            continue  # neither is written; the base stays until the merchant chooses
        merge.conflicts.append(FieldConflict(name, b, unopim, store, rule))
        if ours_wins:
            merge.write.add(name)
            merge.base[name] = o
        else:
            # The other side's value wins: ours counts as seen, so theirs is the change its own run carries.
            merge.base[name] = o
    return merge


def apply_fields(target: StoreProduct | StoreVariant, source: StoreProduct | StoreVariant, names: set[str]
                 ) -> StoreProduct | StoreVariant:
    """`target` with the fields in `names` taken from `source` (the others as `target` holds them)."""
    out = copy.deepcopy(target)
    for name in names:
        if name == "categories" and isinstance(out, StoreProduct):
            out.category_ids = list(source.category_ids)  # type: ignore[union-attr]
        elif name == "tags" and isinstance(out, StoreProduct):
            out.tags = list(source.tags)  # type: ignore[union-attr]
        elif name.startswith("attribute:") and isinstance(out, StoreProduct):
            label = name.split(":", 1)[1]
            theirs = next((a for a in source.attributes if a.name == label), None)  # type: ignore[union-attr]
            out.attributes = [a for a in out.attributes if a.name != label]
            if theirs is not None:
                out.attributes.append(ProductAttributeValue(**dataclasses.asdict(theirs)))
        elif name.startswith("axis:") and isinstance(out, StoreVariant):
            label = name.split(":", 1)[1]
            if label in source.axes:  # type: ignore[union-attr]
                out.axes[label] = source.axes[label]  # type: ignore[union-attr]
            else:
                out.axes.pop(label, None)
        elif isinstance(out, StoreProduct) and (name in out.extra or name in source.extra):  # type: ignore[union-attr]
            if name in source.extra:  # type: ignore[union-attr]
                out.extra[name] = copy.deepcopy(source.extra[name])  # type: ignore[union-attr]
            else:
                out.extra.pop(name, None)
        elif name.startswith("meta:"):
            key = name.split(":", 1)[1]
            if key in source.meta:
                out.meta[key] = source.meta[key]
            else:
                out.meta.pop(key, None)
        elif "@" in name:
            _apply_scoped(out, source, name)
        elif hasattr(out, name):
            setattr(out, name, copy.deepcopy(getattr(source, name)))
    return out


def _apply_scoped(out: StoreProduct | StoreVariant, source: StoreProduct | StoreVariant, name: str) -> None:
    """`name@fr` or `regular_price@EUR` taken from `source` (a translation or currency it lacks: emptied)."""
    field_name, code = name.split("@", 1)
    if field_name in TRANSLATED and isinstance(out, StoreProduct):
        theirs = source.translations.get(code)  # type: ignore[union-attr]
        mine = out.translations.setdefault(code, StoreTranslation())
        setattr(mine, field_name, getattr(theirs, field_name) if theirs is not None else "")
        if mine.store_id is None and theirs is not None:
            mine.store_id = theirs.store_id
    elif field_name in PRICED:
        their_price = source.prices.get(code)
        price = out.prices.setdefault(code, StorePrice())
        setattr(price, field_name, getattr(their_price, field_name) if their_price is not None else "")


def owner_of(core_directions: dict[str, str], attribute_directions: dict[str, str]) -> Callable[[str], str]:
    """A field's direction from the mapping: core fields by key (a translation or another currency of one
    by that key: `name@fr` is the Name row's), attributes and custom fields by name."""
    def direction(name: str) -> str:
        if ":" in name:
            return attribute_directions.get(name.split(":", 1)[1], "both")
        return core_directions.get(name.split("@", 1)[0], "both")

    return direction

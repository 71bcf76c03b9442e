"""Store product → UnoPim `values` fragments, under a mapping: the push side of `transform`. Pure.

A push must change in UnoPim exactly what the merchant changed in the store, and nothing else. So a
fragment is built by comparing the store product with the *projection* of UnoPim's current product
(what a pull would have written into the store, `transform.product_to_store`): only fields that differ
travel, each wrapped in the bucket its attribute's flags say (`values.wrap_scoped_value`) for the
channel and its default locale, prices as `{currency: amount}` of the channel's store currency. Every
other channel, locale, currency and attribute is left as UnoPim has it (`apply_fragment` merges).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from unopim_desktop.domain import AttributeDef, StoreProduct, StoreVariant
from unopim_desktop.sync.transform.equality import no_measure, same_number, same_text
from unopim_desktop.sync.transform.extra import Unmappable, extra_keys, same, unopim_value
from unopim_desktop.sync.transform.to_store import PullMapping, product_to_store, variant_to_store
from unopim_desktop.sync.transform.values import merge_values, read_value, wrap_scoped_value

TEXT_CORE = ("name", "description", "short_description", "weight", "length", "width", "height")
TRANSLATED = ("name", "description", "short_description")  # what a store translation carries
PRICE_CORE = ("regular_price", "sale_price")
MEASURES = ("weight", "length", "width", "height")
NUMERIC_CORE = (*PRICE_CORE, *MEASURES, "stock_quantity")
CLEARABLE = frozenset({"text", "textarea", "select", "multiselect", "checkbox"})
TRUE_WORDS = {"yes", "true", "1", "on", "publish", "enabled"}
FALSE_WORDS = {"no", "false", "0", "off", "draft", "disabled", "private", "pending"}
STOCK_WORDS = {"instock": ("instock", "in_stock", "in stock", "true", "1", "yes", "available"),
               "outofstock": ("outofstock", "out_of_stock", "out of stock", "false", "0", "no"),
               "onbackorder": ("onbackorder", "backorder", "on_backorder")}


@dataclass
class PushMapping:
    """What a reverse transform needs for one channel and store."""

    view: PullMapping  # the pull's view of the same channel: what the store shows for UnoPim values
    category_codes: dict[int, str] = field(default_factory=dict)  # store category id -> UnoPim code
    product_skus: dict[int, str] = field(default_factory=dict)  # store product id -> SKU
    one_association_list: bool = False  # see `StoreAdapter.one_association_list`

    @property
    def channel(self) -> str:
        return self.view.channel

    @property
    def locale(self) -> str:
        return self.view.locales[0]

    @property
    def currency(self) -> str:
        return self.view.currency

    def wrap(self, attr: AttributeDef, value: Any, locale: str = "") -> dict[str, Any]:
        return wrap_scoped_value(attr, value, channels=[self.channel], locales=[locale or self.locale])

    def option_code(self, attr_code: str, label: str) -> str:
        """The option whose label (any locale) or code is `label`; Unmappable when none is."""
        wanted = norm(label)
        options = self.view.option_labels.get(attr_code, {})
        for code, labels in options.items():
            if norm(labels.get(self.locale, "")) == wanted:
                return code
        for code, labels in options.items():
            if norm(code) == wanted or any(norm(v) == wanted for v in labels.values()):
                return code
        raise Unmappable(f"“{label}” is not an option of {attr_code}")

    def attribute_code_for(self, store_attribute: str) -> str:
        """The UnoPim attribute behind a store attribute name: the mapping row, an axis, or a code or
        label that matches; "" when none does."""
        for row in self.view.rows:
            if row.attribute_code and norm(row.store_attribute) == norm(store_attribute):
                return row.attribute_code
        for code, name in self.view.axis_names.items():
            if norm(name) == norm(store_attribute):
                return code
        wanted = attribute_code_of(store_attribute)
        if wanted in self.view.attributes:
            return wanted
        for code, attr in self.view.attributes.items():
            if any(norm(v) == norm(store_attribute) for v in attr.labels.values()):
                return code
        return ""


def norm(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().casefold()


def attribute_code_of(name: str) -> str:
    """A valid UnoPim code from a store name or slug (lower case letters, digits, underscores)."""
    code = re.sub(r"[^a-z0-9]+", "_", str(name).lower().removeprefix("pa_")).strip("_")
    return code if code and code[0].isalpha() else f"a_{code}" if code else ""


# -- one value ---------------------------------------------------------------------------------------
def to_unopim_value(attr: AttributeDef, shown: list[str], m: PushMapping) -> Any:
    """Store display values (term names, a meta string split on ", ") → the UnoPim value of `attr`.
    The reverse of `transform.display_values`. None when the store holds nothing."""
    shown = [s for s in (str(v).strip() for v in shown) if s]
    if not shown:
        return "" if attr.type in CLEARABLE else None
    if attr.type == "select":
        return m.option_code(attr.code, shown[0])
    if attr.type in ("multiselect", "checkbox"):
        return ",".join(m.option_code(attr.code, s) for s in shown)
    if attr.type == "boolean":
        word = norm(shown[0])
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return "true" if word in TRUE_WORDS else "false"
        raise Unmappable(f"“{shown[0]}” is not yes or no")
    if attr.type == "price":
        return {m.currency: _amount(shown[0])}
    if attr.type == "measurement":
        amount, _, unit = shown[0].partition(" ")
        return {"value": amount, **({"unit": unit.strip()} if unit.strip() else {})}
    return ", ".join(shown)


def _amount(text: str) -> str:
    return str(text).strip()


def _text_value(attr: AttributeDef, value: str) -> Any:
    if attr.type == "measurement":
        amount, _, unit = value.partition(" ")
        return {"value": amount, **({"unit": unit.strip()} if unit.strip() else {})}
    return value


def _stock_status_value(attr: AttributeDef, status: str, m: PushMapping) -> Any:
    words = STOCK_WORDS.get(status, (status,))
    if attr.type == "boolean":
        return "true" if status == "instock" else "false"
    if attr.type == "select":
        for code, labels in m.view.option_labels.get(attr.code, {}).items():
            if norm(code) in words or any(norm(v) in words for v in labels.values()):
                return code
        raise Unmappable(f"no option of {attr.code} means {status}")
    return status


# -- products --------------------------------------------------------------------------------------
@dataclass
class Fragment:
    """What to send for one product: a `values` fragment, the top-level status, and the field names
    that differ (for logs and dry runs). `problems` are store values that could not be mapped."""

    values: dict[str, Any] = field(default_factory=dict)
    status: bool | None = None
    fields: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.values and self.status is None

    def add(self, name: str, fragment: dict[str, Any]) -> None:
        self.values = merge_values(self.values, fragment)
        self.fields.append(name)


def project(item: Mapping[str, Any] | None, m: PushMapping, *, axes: list[str] | None = None,
            axis_options: dict[str, list[str]] | None = None) -> StoreProduct | None:
    """What a pull would have written into the store for this UnoPim product."""
    if item is None:
        return None
    return product_to_store(item, m.view, axes=axes, axis_options=axis_options)


def product_fragment(store: StoreProduct, current: Mapping[str, Any] | None, m: PushMapping, *,
                     axes: list[str] | None = None) -> Fragment:
    """The `values` fragment that makes UnoPim's `current` product say what the store product says,
    for the mapped fields that differ from the projection (every non-empty one when `current` is None)."""
    configurable = store.type == "variable"
    seen = project(current, m, axes=axes if configurable else None)
    frag = Fragment()
    keys = TEXT_CORE + (() if configurable else (*PRICE_CORE, "stock_quantity", "stock_status"))
    for key in keys:
        _core_field(frag, key, getattr(store, key), getattr(seen, key) if seen else None, m, store.sku)
    _translations(frag, store, seen, m)
    if not configurable:
        _prices(frag, store, seen, m)
    _status(frag, store.status, seen.status if seen else None, m)
    _tags(frag, store.tags, seen.tags if seen else None, m)
    _extra(frag, store, seen, m)
    cur_values = (current or {}).get("values") or {}
    _categories(frag, store.category_ids, cur_values.get("categories") or [], m, known=seen is not None)
    _associations(frag, store, cur_values.get("associations") or {}, m)
    for row in m.view.rows:
        attr = m.view.attributes.get(row.attribute_code) if row.attribute_code else None
        if attr is None or attr.system or (configurable and attr.code in (axes or [])):
            continue
        if row.carrier != "meta" and not m.view.product_attributes:
            continue  # the store's products hold no such attribute: nothing of it to compare
        mine = _row_shown(store, row.store_attribute, row.carrier)
        theirs = _row_shown(seen, row.store_attribute, row.carrier) if seen else []
        if sorted(norm(s) for s in mine) == sorted(norm(s) for s in theirs):
            continue  # stores keep terms in their own order; the set is what the merchant chose
        try:
            value = to_unopim_value(attr, mine, m)
        except Unmappable as exc:
            frag.problems.append(f"{row.store_attribute}: {exc}")
            continue
        if value is None or (value == "" and seen is None):
            continue
        frag.add(attr.code, m.wrap(attr, value))
    return frag


def _row_shown(product: StoreProduct | None, name: str, carrier: str) -> list[str]:
    if product is None:
        return []
    if carrier == "meta":
        raw = product.meta.get(name)
        return [p.strip() for p in str(raw).split(", ") if p.strip()] if raw not in (None, "") else []
    for pav in product.attributes:
        if norm(pav.name) == norm(name) and not pav.variation:
            return list(pav.options)
    return []


def _translations(frag: Fragment, store: StoreProduct, seen: StoreProduct | None, m: PushMapping) -> None:
    """Each store language's texts into its UnoPim locale (the translation a merchant edited in the store)."""
    for lang, text in store.translations.items():
        chain = m.view.languages.get(lang)
        if not chain:
            continue  # a language this channel does not map: not UnoPim's to take
        theirs = seen.translations.get(lang) if seen is not None else None
        for key in TRANSLATED:
            mine_v, theirs_v = getattr(text, key), getattr(theirs, key) if theirs is not None else None
            attr = m.view.attr(key)
            if attr is not None and not attr.value_per_locale and not same_text(str(mine_v), str(theirs_v or "")):
                if theirs_v is not None:
                    frag.problems.append(f"{key}@{lang}: {attr.code} has one value for every locale in UnoPim, so "
                                         "the store's translation is not taken")
                continue
            _core_field(frag, key, mine_v, theirs_v, m, store.sku, locale=chain[0], suffix=f"@{lang}")


def _prices(frag: Fragment, store: StoreProduct | StoreVariant, seen: StoreProduct | StoreVariant | None,
            m: PushMapping) -> None:
    """Each store currency's price into its UnoPim currency."""
    for currency, price in store.prices.items():
        unopim = m.view.currencies.get(currency)
        if not unopim:
            continue
        theirs = seen.prices.get(currency) if seen is not None else None
        for key in PRICE_CORE:
            _core_field(frag, key, getattr(price, key), getattr(theirs, key) if theirs is not None else None, m,
                        store.sku, currency=unopim, suffix=f"@{currency}")


def _core_field(frag: Fragment, key: str, mine: Any, theirs: Any, m: PushMapping, sku: str, *, locale: str = "",
                currency: str = "", suffix: str = "") -> None:
    """One core field (in another locale or currency with `locale` / `currency`; `suffix` names it so)."""
    attr = m.view.attr(key)
    if attr is None or attr.system:
        return
    mine_t = "" if mine is None else str(mine)
    theirs_t = "" if theirs is None else str(theirs)
    if key == "name" and theirs is None and mine_t == sku:
        return  # the pull's fallback name, not a name the merchant typed
    name = key + suffix
    same = same_text(mine_t, theirs_t) if key in TEXT_CORE else mine_t == theirs_t
    if same or (key in NUMERIC_CORE and same_number(mine_t, theirs_t)):
        return
    if key in MEASURES and no_measure(mine_t) and no_measure(theirs_t):
        return  # BigCommerce answers 0 for a dimension never set: no measure either way
    if theirs is None and mine_t == "":
        return
    try:
        if key in PRICE_CORE:
            if not mine_t:
                return  # clearing a price would send an invalid amount; UnoPim keeps it
            value: Any = {currency or m.currency: mine_t}
        elif key == "stock_quantity":
            value = mine_t
        elif key == "stock_status":
            if not mine_t or m.view.attr("stock_quantity") is not None:
                return  # derived from the quantity on pull; the quantity carries the change
            value = _stock_status_value(attr, mine_t, m)
        else:
            if mine_t == "" and attr.type not in CLEARABLE:
                return
            value = _text_value(attr, mine_t)
    except Unmappable as exc:
        frag.problems.append(f"{name}: {exc}")
        return
    frag.add(name, m.wrap(attr, value, locale))


def _whole_prices(frag: Fragment, current: Mapping[str, Any] | None, m: PushMapping) -> None:
    """A variant's price written whole: the currencies the store did not change keep what UnoPim shows. A 3.x
    variant's price is an override of its parent's whole value (the nearer node wins per attribute), so a EUR
    edit alone would drop the USD and GBP it inherited. (A product's PATCH merges currency by currency.)"""
    if current is None:
        return
    for key in PRICE_CORE:
        attr = m.view.attr(key)
        if attr is None or attr.system or attr.type != "price":
            continue
        mine = read_value(frag.values, attr, channel=m.channel, locales=[m.locale])
        if not isinstance(mine, Mapping):
            continue
        theirs = read_value(current.get("values") or {}, attr, channel=m.channel, locales=[m.locale])
        if isinstance(theirs, Mapping) and any(c not in mine for c in theirs):
            frag.values = merge_values(frag.values, m.wrap(attr, {**theirs, **mine}))


def _status(frag: Fragment, mine: str, theirs: str | None, m: PushMapping) -> None:
    attr = m.view.attr("status")
    published = mine == "publish"
    if theirs is not None and (theirs == "publish") == published:
        return
    if attr is None or attr.system:
        frag.status = published
        frag.fields.append("status")
    elif attr.type == "boolean":
        frag.add("status", m.wrap(attr, "true" if published else "false"))


def _tags(frag: Fragment, mine: list[str], theirs: list[str] | None, m: PushMapping) -> None:
    attr = m.view.attr("tags")
    if attr is None or sorted(map(norm, mine)) == sorted(map(norm, theirs or [])):
        return
    if theirs is None and not mine:
        return
    try:
        if attr.type in ("multiselect", "checkbox"):
            value = ",".join(m.option_code(attr.code, t) for t in mine)
        else:
            value = ",".join(mine)
    except Unmappable as exc:
        frag.problems.append(f"tags: {exc}")
        return
    frag.add("tags", m.wrap(attr, value))


def _extra(frag: Fragment, store: StoreProduct, seen: StoreProduct | None, m: PushMapping) -> None:
    """The store-kind fields (`StoreProduct.extra`) the mapping names: those the store says otherwise than
    the projection. A field the store's answer lacks is left as UnoPim has it."""
    for key in extra_keys(m.view.core):
        attr = m.view.attr(key)
        if attr is None or key not in store.extra:
            continue
        mine = store.extra[key]
        if seen is not None and same(key, mine, seen.extra.get(key)):
            continue
        try:
            value = unopim_value(key, attr, mine, option_code=m.option_code, currency=m.currency)
        except Unmappable as exc:
            frag.problems.append(f"{key}: {exc}")
            continue
        if value is None or (value == "" and (seen is None or attr.type not in CLEARABLE)):
            continue
        frag.add(key, m.wrap(attr, value))


def _categories(frag: Fragment, store_ids: list[int], current: list[str], m: PushMapping, *, known: bool) -> None:
    """Categories the store can show are replaced by the store's; the others (outside the channel's tree,
    never pulled) stay as UnoPim has them."""
    shown_here = set(m.view.category_ids)
    mine = [m.category_codes[i] for i in store_ids if i in m.category_codes]
    theirs = [c for c in current if c in shown_here]
    if sorted(set(mine)) == sorted(set(theirs)) and (known or not mine):
        return
    kept = [c for c in current if c not in shown_here]
    frag.add("categories", {"categories": list(dict.fromkeys(kept + mine))})


def _associations(frag: Fragment, store: StoreProduct, current: Mapping[str, Any], m: PushMapping) -> None:
    if m.one_association_list:
        _one_list_associations(frag, store, current, m)
        return
    sections = {"up_sells": store.upsell_ids, "cross_sells": store.cross_sell_ids}
    out: dict[str, list[str]] = {}
    for section, ids in sections.items():
        now = [str(s) for s in current.get(section) or []] if isinstance(current, Mapping) else []
        linked = set(m.view.product_ids)
        mine = [m.product_skus[i] for i in ids if i in m.product_skus]
        theirs = [s for s in now if s in linked]
        if sorted(set(mine)) == sorted(set(theirs)):
            continue
        out[section] = list(dict.fromkeys([s for s in now if s not in linked] + mine))
    if out:
        frag.add("associations", {"associations": out})


def _one_list_associations(frag: Fragment, store: StoreProduct, current: Mapping[str, Any], m: PushMapping) -> None:
    """The store's one list against UnoPim's up-sells and cross-sells together: a product the store added
    becomes an up-sell, one it removed leaves whichever section held it; the sections stay as they are
    when the store's list holds the same products."""
    current = current if isinstance(current, Mapping) else {}
    now = {s: [str(x) for x in current.get(s) or []] for s in ("up_sells", "cross_sells")}
    linked = set(m.view.product_ids)
    mine = list(dict.fromkeys(m.product_skus[i] for i in (*store.upsell_ids, *store.cross_sell_ids)
                              if i in m.product_skus))
    theirs = {s for section in now.values() for s in section if s in linked}
    if set(mine) == theirs:
        return
    kept = {s: [x for x in skus if x not in linked or x in mine] for s, skus in now.items()}
    held = {x for skus in kept.values() for x in skus}
    kept["up_sells"] += [s for s in mine if s not in held]
    frag.add("associations", {"associations": {s: list(dict.fromkeys(v)) for s, v in kept.items() if v != now[s]}})


def variant_fragment(store: StoreVariant, current: Mapping[str, Any] | None, axes: list[str],
                     m: PushMapping) -> Fragment:
    """A variation's fragment: prices, stock, status, shipping fields and axis values."""
    seen = variant_to_store(current, axes, m.view) if current is not None else None
    frag = Fragment()
    for key in ("regular_price", "sale_price", "stock_quantity", "stock_status", "weight", "length", "width",
                "height"):
        _core_field(frag, key, getattr(store, key), getattr(seen, key) if seen else None, m, store.sku)
    _prices(frag, store, seen, m)
    published = store.status == "publish"
    if seen is None or (seen.status == "publish") != published:
        attr = m.view.attr("status")
        if attr is None or attr.system:
            frag.status = published
            frag.fields.append("status")
        elif attr.type == "boolean":
            frag.add("status", m.wrap(attr, "true" if published else "false"))
    if seen is not None:
        for code in axes:
            name = m.view.store_attribute_name(code)
            mine = next((v for k, v in store.axes.items() if norm(k) == norm(name)), "")
            if mine and norm(mine) != norm(seen.axes.get(name, "")):
                try:
                    frag.add(code, {"common": {code: m.option_code(code, mine)}})
                except Unmappable as exc:
                    frag.problems.append(f"{name}: {exc}")
    _whole_prices(frag, current, m)
    return frag


def variant_axes(store: StoreVariant, axes: list[str], m: PushMapping) -> dict[str, str]:
    """The option code of each axis for a new variant (`variant.attributes`); Unmappable if one lacks."""
    out = {}
    for code in axes:
        name = m.view.store_attribute_name(code)
        label = next((v for k, v in store.axes.items() if norm(k) == norm(name)), "")
        if not label:
            raise Unmappable(f"the variation has no {name}")
        out[code] = m.option_code(code, label)
    return out


# -- applying ----------------------------------------------------------------------------------------
def apply_fragment(current: Mapping[str, Any] | None, fragment: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """UnoPim's `values` after the fragment is merged in (dicts key by key, lists replaced), and whether
    anything changed. Every value, scope and locale the fragment does not name stays as it was."""
    before = copy.deepcopy(dict(current or {}))
    after = merge_values(before, copy.deepcopy(dict(fragment)))
    return after, _canon(after) != _canon(dict(current or {}))


def _canon(values: Any) -> Any:
    """Equal-meaning values compare equal: empty buckets and lists in different orders of codes."""
    if isinstance(values, Mapping):
        out = {k: _canon(v) for k, v in values.items()}
        return {k: v for k, v in out.items() if v not in ({}, None)}
    if isinstance(values, list):
        return [_canon(v) for v in values]
    return values


def shrinks_a_list(current: Mapping[str, Any] | None, merged: Mapping[str, Any]) -> bool:
    """PATCH merges lists by index (§7.9): a shorter categories or associations list needs a PUT."""
    cur = dict(current or {})
    if len(merged.get("categories") or []) < len(cur.get("categories") or []):
        return True
    before, after = cur.get("associations") or {}, merged.get("associations") or {}
    if not isinstance(before, Mapping) or not isinstance(after, Mapping):
        return False
    return any(len(after.get(k) or []) < len(v or []) for k, v in before.items())

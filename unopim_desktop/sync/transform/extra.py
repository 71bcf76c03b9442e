"""The store-kind fields a neutral product carries in `StoreProduct.extra` (BigCommerce's page title, cost
price, brand, featured flag…): UnoPim value → neutral value on a pull, and back on a push. Pure functions.

Each field says how its value travels (`CoreField.value`): text, a price amount, a yes/no flag, one of a few
store words (`choices`), or a list of words. A mapped row with no UnoPim value gives the row's default, so
the store gets a value it accepts (BigCommerce refuses an empty condition); an unmapped row is not written
and the store keeps its own value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from unopim_desktop.domain import EXTRA_FIELDS, AttributeDef
from unopim_desktop.mapping.fields import CORE_FIELD_BY_KEY, SELECT_LIKE, CoreField
from unopim_desktop.sync.transform.values import price_amount, split_codes

TRUE_WORDS = frozenset({"true", "1", "yes", "on", "y"})


class Unmappable(ValueError):
    """A store value has no UnoPim equivalent (e.g. a word no option of the attribute stands for)."""


def _fold(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().casefold()


def _flag(value: Any) -> bool:
    return value is True or _fold(value) in TRUE_WORDS


def _choice(field: CoreField, *words: str) -> str:
    """The store word (as `choices` spells it) that one of `words` names; "" when none does."""
    for word in words:
        for choice in field.choices:
            if _fold(word) == _fold(choice):
                return choice
    return ""


def default_of(field: CoreField) -> Any:
    if field.value == "flag":
        return _flag(field.default)
    if field.value == "words":
        return []
    return field.default


def store_value(key: str, attr: AttributeDef, raw: Any, *, label: Callable[[str, str], str],
                currency: str) -> Any:
    """The neutral value of a store-kind field from the UnoPim value of its attribute (`label(code, option)`
    gives an option's label)."""
    field = CORE_FIELD_BY_KEY[key]
    if raw in (None, "") or (isinstance(raw, list) and not raw):
        return default_of(field)
    if field.value == "price":
        return price_amount(raw, currency)
    if field.value == "flag":
        return _flag(raw)
    if field.value == "words":
        if attr.type in ("multiselect", "checkbox"):
            return [label(attr.code, c) for c in split_codes(raw)]
        return split_codes(raw)
    if field.value == "choice":
        if attr.type == "boolean":
            return field.choices[1] if _flag(raw) else field.choices[0]
        shown = label(attr.code, str(raw)) if attr.type in SELECT_LIKE else str(raw)
        return _choice(field, shown, str(raw)) or default_of(field)
    if attr.type in SELECT_LIKE:
        return label(attr.code, str(raw))
    if isinstance(raw, Mapping):
        return str(raw.get("value", ""))
    return str(raw)


def same(key: str, mine: Any, theirs: Any) -> bool:
    """Whether two neutral values of a field mean the same (stores rewrite numbers, spacing and case)."""
    field = CORE_FIELD_BY_KEY[key]
    if field.value == "flag":
        return _flag(mine) == _flag(theirs)
    if field.value == "words":
        return sorted(map(_fold, mine or [])) == sorted(map(_fold, theirs or []))
    if field.value == "price":
        return _amount(mine) == _amount(theirs)
    if field.value == "choice":
        return _fold(mine) == _fold(theirs)
    if key == "custom_url":
        return _fold(mine).strip("/") == _fold(theirs).strip("/")
    return _fold(mine) == _fold(theirs)


def _amount(value: Any) -> Decimal:
    """A price amount; none (BigCommerce shows 0 for a price never set) is 0."""
    try:
        return Decimal(str(value).strip() or "0")
    except (InvalidOperation, ValueError):
        return Decimal(-1)


def unopim_value(key: str, attr: AttributeDef, value: Any, *, option_code: Callable[[str, str], str],
                 currency: str) -> Any:
    """The UnoPim value of `attr` that makes it say the neutral `value` (the reverse of `store_value`);
    None when nothing is to be written. Unmappable when no option of a select attribute stands for it."""
    field = CORE_FIELD_BY_KEY[key]
    if field.value == "price":
        amount = str(value or "").strip()
        return {currency: amount} if amount else None
    if field.value == "flag":
        return "true" if _flag(value) else "false"
    if field.value == "words":
        words = [str(w).strip() for w in value or [] if str(w).strip()]
        if attr.type in ("multiselect", "checkbox"):
            return ",".join(option_code(attr.code, w) for w in words)
        return ", ".join(words)
    if field.value == "choice" and attr.type == "boolean":
        return "true" if _fold(value) == _fold(field.choices[1]) else "false"
    text = str(value or "")
    if attr.type in SELECT_LIKE:
        return option_code(attr.code, text) if text else ""
    return text


def extra_keys(core: Mapping[str, str]) -> list[str]:
    """The store-kind fields a mapping names (those a run reads and writes)."""
    return [key for key in EXTRA_FIELDS if core.get(key)]

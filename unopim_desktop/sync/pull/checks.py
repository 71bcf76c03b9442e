"""What the pull refuses to write from a UnoPim value, whatever the store would make of it: a price the store
would misread (WooCommerce strips "12,50" to 1250 with a dot decimal separator and keeps "-5.00"), and a
variant that lacks a value for one of its product's axes (it would become an "any colour" variation).
Each refusal is the reason a failed item's Logs row gives; the rest of the run goes on."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# What both stores read as the amount written: digits, a dot for decimals; no sign, no thousands separator.
AMOUNT = re.compile(r"^\d+(\.\d+)?$")


def price_problem(regular_price: str, sale_price: str, currency: str) -> str | None:
    """Why these amounts (in `currency`) must not reach the store, or None."""
    for label, value in (("price", regular_price), ("sale price", sale_price)):
        text = (value or "").strip()
        if not text or AMOUNT.match(text):
            continue
        if text.startswith("-"):
            return f"its {label} {text} {currency} is negative; correct it in UnoPim"
        return (f"its {label} “{text}” {currency} is not an amount with a dot for decimals (the store would read "
                "another price); correct it in UnoPim")
    return None


def prices_problem(item: Any, currency: str) -> str | None:
    """`price_problem` for a product's or variant's base price and each further currency it carries (a
    multi-currency plugin's meta or a price list would keep a misread amount just as the base price would)."""
    problem = price_problem(item.regular_price, item.sale_price, currency)
    for code, price in sorted(item.prices.items()):
        problem = problem or price_problem(price.regular_price, price.sale_price, code)
    return problem


def missing_axes(variant: Mapping[str, Any], axes: list[str]) -> list[str]:
    """The axes (super attributes) of its configurable product this variant has no value for."""
    common = (variant.get("values") or {}).get("common") or {}
    return [code for code in axes if common.get(code) in (None, "")]


def category_loops(by_code: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Categories whose parent chain comes back on itself (or runs into such a loop), each with the loop as
    text ("a → b → a"): they have no place in a tree, and following their parents would never end."""
    out: dict[str, str] = {}
    for code in by_code:
        chain, seen = [code], {code}
        parent = by_code[code].get("parent")
        while parent and parent in by_code:
            if parent in seen:
                out[code] = " → ".join([*chain[chain.index(parent):], parent])
                break
            chain.append(parent)
            seen.add(parent)
            parent = by_code[parent].get("parent")
    return out

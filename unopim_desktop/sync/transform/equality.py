"""When a value read back from a store is the same as UnoPim's: the store rewrote it on save (a number kept
as a number, whitespace, entity spelling), it was not edited, so a push has nothing to send."""

from __future__ import annotations

import html
import re
from decimal import Decimal, InvalidOperation


def same_number(a: str, b: str) -> bool:
    """"62.50" and "62.5" (a store that keeps numbers as numbers, such as BigCommerce, gives the second
    back for the first): the same amount, so nothing to push."""
    try:
        return Decimal(a) == Decimal(b)
    except (InvalidOperation, ValueError):
        return False


def no_measure(text: str) -> bool:
    return text.strip() == "" or same_number(text, "0")


def same_text(a: str, b: str) -> bool:
    """Texts equal up to what stores and UnoPim rewrite on save (whitespace, entity spelling)."""
    return _squash(a) == _squash(b)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(text)).strip()

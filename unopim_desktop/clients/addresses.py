"""What an address typed into a form (or given on the command line) may not carry, said before any request:
line breaks and other control characters, broken international host names, port 0, a user name or
password. `urllib.parse.urlsplit` quietly drops tabs and line breaks (the WHATWG rule), so a pasted
"https://pim.exa\\nmple.com" would otherwise be saved as another address than the one shown.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import SplitResult, urlsplit

import idna

# Longer than any address a merchant types; a pasted page or log is refused instead of echoed back.
MAX_ADDRESS_CHARS = 2048
SHOWN_CHARS = 80


def shown(text: str, limit: int = SHOWN_CHARS) -> str:
    """`text` as quoted back in a message: shortened so a 10,000-character paste does not fill the screen."""
    return text if len(text) <= limit else f"{text[:limit - 1]}… ({len(text):,} characters)"


def has_control(text: str) -> bool:
    """Whether `text` holds a line break, a tab or another control character (Unicode category Cc)."""
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def text_problem(text: str, example: str) -> str | None:
    """The sentence for an address that cannot be one whatever its parts: too long, or over several lines."""
    if len(text) > MAX_ADDRESS_CHARS:
        return (f"The address is {len(text):,} characters long (at most {MAX_ADDRESS_CHARS:,}); paste just the "
                f"address, for example {example}.")
    if has_control(text):
        return (f"The address contains a line break or another control character; type it on one line, for "
                f"example {example}.")
    return None


def idna_ok(host: str) -> bool:
    """Whether an international host name (or a label already in its xn-- form) is valid IDNA: a broken
    xn-- label passes a plain character check but fails name resolution with a confusing error later."""
    labels = host.removesuffix(".").split(".")
    if all(label.isascii() and not label.lower().startswith("xn--") for label in labels):
        return True
    try:
        idna.encode(host.removesuffix("."), uts46=True)
    except (idna.IDNAError, UnicodeError, ValueError):
        return False
    return True


def port_problem(text: str, port: int | None) -> str | None:
    """Port 0 parses but nothing listens there: refused with the same sentence as an out-of-range port."""
    if port == 0:
        return f"“{shown(text)}” has an invalid port number."
    return None


def field_problem(label: str, value: str, limit: int) -> str | None:
    """A text field's problem before any request: a line break or control character, or too long (a paste
    gone wrong: refused with its length rather than stored or echoed back whole)."""
    if has_control(value):
        return f"{label}: remove the line break or other control character; type it on one line."
    if len(value.strip()) > limit:
        return f"{label} is {len(value.strip()):,} characters long; at most {limit} are allowed."
    return None


def split(text: str) -> SplitResult:
    """`urlsplit`, with its bare ValueError for a bracket left open (an IPv6 address half typed) turned into
    a sentence (ValueError too)."""
    try:
        return urlsplit(text)
    except ValueError:
        raise ValueError(f"“{shown(text)}” has a [ or ] that is not closed; an IPv6 address is written like "
                         "https://[2001:db8::1]:8080.") from None

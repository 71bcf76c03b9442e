"""PHP and WordPress string and date helpers, so the WooCommerce sandbox transforms input as a real site does.

Each function names the PHP/WordPress function it stands in for. They are deliberately small
approximations: enough that a client meets the same surprises (encoded ampersands in term names,
stripped backslashes, `<p>`-wrapped descriptions, query-string arrays) as against a real store.
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from datetime import datetime, timedelta
from typing import Any

DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"


# --- PHP query strings ----------------------------------------------------------------------------


def rawurlencode(value: Any) -> str:
    """PHP `rawurlencode` (RFC 3986: everything but unreserved characters is escaped)."""
    return urllib.parse.quote(str(value), safe="-_.~")


def _php_key(segment: str) -> str | int:
    # PHP turns canonical decimal keys into integer keys.
    if segment.isdigit() and (segment == "0" or not segment.startswith("0")):
        return int(segment)
    return segment


def _next_index(node: dict[Any, Any]) -> int:
    ints = [k for k in node if isinstance(k, int)]
    return max(ints) + 1 if ints else 0


def php_parse_query(query: str) -> dict[Any, Any]:
    """PHP `parse_str` / `$_GET`: `+` is a space, `a[]=1&a[]=2` is an array, the last plain key wins.

    Arrays stay dicts keyed like PHP arrays (ints for list positions); `php_to_python` turns them
    into lists for the handlers, while the OAuth checker signs the PHP structure itself.
    """
    result: dict[Any, Any] = {}
    for pair in query.split("&"):
        if not pair:
            continue
        raw_key, _, raw_value = pair.partition("=")
        key = urllib.parse.unquote_plus(raw_key).lstrip(" ")
        value = urllib.parse.unquote_plus(raw_value)
        if not key:
            continue
        _php_assign(result, key, value)
    return result


def _php_assign(target: dict[Any, Any], key: str, value: str) -> None:
    base, segments = key, []
    idx = key.find("[")
    if idx > 0 and "]" in key[idx:]:
        base, rest = key[:idx], key[idx:]
        while rest.startswith("["):
            end = rest.find("]")
            if end == -1:
                break
            segments.append(rest[1:end])
            rest = rest[end + 1 :]
    base = re.sub(r"[ .\[]", "_", base)
    if not segments:
        target[_php_key(base)] = value
        return
    node = target.get(base)
    if not isinstance(node, dict):
        node = {}
        target[base] = node
    for i, segment in enumerate(segments):
        seg_key: str | int = _next_index(node) if segment == "" else _php_key(segment)
        if i == len(segments) - 1:
            node[seg_key] = value
        else:
            child = node.get(seg_key)
            if not isinstance(child, dict):
                child = {}
                node[seg_key] = child
            node = child


def php_to_python(value: Any) -> Any:
    """PHP arrays with keys 0..n-1 become lists; other arrays stay dicts (with string keys)."""
    if not isinstance(value, dict):
        return value
    if value and list(value.keys()) == list(range(len(value))):
        return [php_to_python(v) for v in value.values()]
    return {str(k): php_to_python(v) for k, v in value.items()}


# --- WordPress sanitizers -------------------------------------------------------------------------

_TAG_RE = re.compile(r"<[^>]*>")
_SCRIPT_STYLE_RE = re.compile(r"<(script|style)[^>]*?>.*?</\1>", re.IGNORECASE | re.DOTALL)


_BACKSLASHED_RE = re.compile(r"\\(.?)", re.DOTALL)
# Patterns used on every product field, compiled once (`re.sub` with a pattern string looks it up in
# re's cache on each call).
_WHITESPACE_RUN_RE = re.compile(r"[\r\n\t ]+")
_PERCENT_OCTET_RE = re.compile(r"%[a-fA-F0-9]{2}")
_SPACES_RE = re.compile(r" +")


def stripslashes(value: str) -> str:
    """PHP `stripslashes`: `\\x` becomes `x`, `\\\\` becomes `\\`."""
    return _BACKSLASHED_RE.sub(r"\1", value)


def wp_strip_all_tags(value: str) -> str:
    return _TAG_RE.sub("", _SCRIPT_STYLE_RE.sub("", value)).strip()


def sanitize_text_field(value: Any) -> str:
    """WordPress `sanitize_text_field` (also what `wc_clean` does to a string)."""
    text = str(value)
    text = wp_strip_all_tags(text)
    text = _WHITESPACE_RUN_RE.sub(" ", text).strip()
    found = False
    while True:
        match = _PERCENT_OCTET_RE.search(text)
        if not match:
            break
        text = text.replace(match.group(0), "")
        found = True
    if found:
        text = _SPACES_RE.sub(" ", text).strip()
    return text


wc_clean = sanitize_text_field

_ENTITY_RE = re.compile(r"&(?!(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});)")


def specialchars(value: str) -> str:
    """WordPress `_wp_specialchars` (no double encoding): term names are stored with `&amp;`."""
    return _ENTITY_RE.sub("&amp;", value).replace("<", "&lt;").replace(">", "&gt;")


_DISALLOWED_TAGS = "script|style|iframe|object|embed|form|input|button|select|textarea|meta|link|base|applet"
_DISALLOWED_TAG_RE = re.compile(rf"</?(?:{_DISALLOWED_TAGS})\b[^>]*>", re.IGNORECASE)
_EVENT_ATTR_RE = re.compile(r"\s+on[a-z]+\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
_JS_URL_RE = re.compile(r"(href|src)\s*=\s*([\"'])\s*javascript:[^\"']*\2", re.IGNORECASE)


def kses_post(value: str) -> str:
    """WordPress `wp_kses_post`: drops tags outside the post allow-list (keeping their text),
    event-handler attributes and `javascript:` URLs, and writes lone `&` as `&amp;`."""
    text = _DISALLOWED_TAG_RE.sub("", value)
    text = _EVENT_ATTR_RE.sub("", text)
    text = _JS_URL_RE.sub(r'\1=\2\2', text)
    return _ENTITY_RE.sub("&amp;", text)


def filter_post_kses(value: Any) -> str:
    """`wp_filter_post_kses` as WooCommerce applies it to names and descriptions.

    It runs `stripslashes` first, so a backslash sent through the API is lost, as on a real site.
    """
    return kses_post(stripslashes(str(value)))


def remove_accents(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))


def sanitize_title(value: Any) -> str:
    """WordPress `sanitize_title` (save context, via `sanitize_title_with_dashes`)."""
    title = wp_strip_all_tags(remove_accents(str(value)))
    title = re.sub(r"%([a-fA-F0-9]{2})", r"---\1---", title).replace("%", "")
    title = re.sub(r"---([a-fA-F0-9]{2})---", r"%\1", title)
    title = title.lower()
    title = "".join(c if ord(c) < 128 else urllib.parse.quote(c).lower() for c in title)
    title = re.sub(r"&.+?;", "", title)
    title = title.replace(".", "-")
    title = re.sub(r"[^%a-z0-9 _-]", "", title)
    title = re.sub(r"\s+", "-", title)
    title = re.sub(r"-+", "-", title)
    return title.strip("-")


def sanitize_file_name(name: str) -> str:
    """WordPress `sanitize_file_name`, reduced to what matters for served upload names."""
    name = remove_accents(name)
    name = re.sub(r"[?\[\]/\\=<>:;,'\"&$#*()|~`!{}%+\u2019\u00ab\u00bb\u201d\u201c]", "", name)
    name = re.sub(r"[\r\n\t -]+", "-", name)
    return name.strip(".-_")


_BLOCK_START_RE = re.compile(
    r"^\s*<(?:p|div|ul|ol|li|h[1-6]|table|thead|tbody|tr|td|th|blockquote|pre|hr|section|article|"
    r"figure|dl|dd|dt|address|form|fieldset|header|footer|nav|aside|main)\b",
    re.IGNORECASE,
)


def wpautop(text: str) -> str:
    """WordPress `wpautop`, simplified: blank-line separated text becomes `<p>…</p>\\n` blocks."""
    if not text.strip():
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    out = []
    for block in blocks:
        if _BLOCK_START_RE.match(block):
            out.append(block + "\n")
        else:
            out.append("<p>" + block.replace("\n", "<br />\n") + "</p>\n")
    return "".join(out)


def format_decimal(value: Any) -> str:
    """`wc_format_decimal` with no rounding: money stays a string, junk characters are dropped."""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, float):
        text = f"{value:.6f}".rstrip("0").rstrip(".")
        return text
    if isinstance(value, int):
        return str(value)
    if value is None:
        return ""
    return re.sub(r"\.(?![^.]+$)|[^0-9.-]", "", wc_clean(value))


def string_to_bool(value: Any) -> bool:
    """`wc_string_to_bool` / `rest_sanitize_boolean`."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def to_int(value: Any, default: int = 0) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


# --- Dates ----------------------------------------------------------------------------------------

_REST_DATE_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)


def parse_rest_date(value: Any) -> tuple[datetime, timedelta | None] | None:
    """`rest_parse_date`: an RFC 3339 date-time; returns (naive wall time, offset or None)."""
    if not isinstance(value, str):
        return None
    match = _REST_DATE_RE.match(value.strip())
    if not match:
        return None
    y, mo, d, h, mi, s = (int(match.group(i)) for i in range(1, 7))
    try:
        wall = datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
    tz = match.group(8)
    if not tz:
        return wall, None
    if tz in ("Z", "z"):
        return wall, timedelta(0)
    sign = 1 if tz[0] == "+" else -1
    digits = tz[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return wall, sign * timedelta(hours=hours, minutes=minutes)


def fmt_date(value: datetime | None) -> str | None:
    return value.strftime(DATE_FORMAT) if value is not None else None

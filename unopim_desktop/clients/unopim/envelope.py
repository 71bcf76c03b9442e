"""What a UnoPim list answer must look like before anything reads it: `{"data": [...], ...}` whose items
are objects with a `code` (or a `sku`). A proxy, a plugin or a broken server may answer otherwise (a 200
that carries an error, `null`, items of the wrong type); that is refused here with a message naming the
route, instead of failing later on a missing key."""

from __future__ import annotations

from typing import Any

from unopim_desktop.clients.errors import BadPayload
from unopim_desktop.clients.http import server_message


def page_items(path: str, body: Any, *, coded: bool = False) -> list[dict[str, Any]]:
    """The items of one list page; BadPayload naming `path` otherwise. `coded`: every item must be an object
    with a code (the settings lists: channels, locales, attributes…); a product page's items are checked one
    by one where they are used, so one bad product does not stop the others."""
    if isinstance(body, dict) and body.get("success") is False:
        said = server_message(body)
        raise BadPayload(f"UnoPim answered {path} with an error" + (f": “{said}”" if said else ""), status=200)
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise BadPayload(f"{path} did not answer with a list envelope", status=200)
    items = body["data"]
    for item in items if coded else ():
        if not isinstance(item, dict) or not (_text(item.get("code")) or _text(item.get("sku"))):
            raise BadPayload(f"{path} listed an item that is not an object with a code: {_preview(item)}",
                             status=200)
    return items


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _preview(item: Any) -> str:
    import json

    text = json.dumps(item, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "…"


def last_page(path: str, body: dict[str, Any], page: int) -> int:
    """The answer's `last_page` (this page when absent); a value that is not a whole number is refused
    rather than guessed (guessing low would end a listing early and miss items)."""
    value = body.get("last_page")
    if value in (None, ""):
        return page
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadPayload(f"{path} answered a last_page that is not a number: {_preview(value)}", status=200) from None

"""What a UnoPim write whose answer was lost (a 500, a dropped connection, a cut-off body) already did,
read back from the server so the client can answer for it instead of sending it twice (a second media
upload would leave an orphaned file on UnoPim's disk)."""

from __future__ import annotations

import re
from typing import Any

import httpx

API_PREFIX = "/api/v1/rest"


def answer(path: str, body: dict[str, Any]) -> httpx.Response:
    """What a write found done after its answer was lost answers with."""
    return httpx.Response(200, json=body, request=httpx.Request("POST", f"{API_PREFIX}{path}"))


def paths_of(product: dict[str, Any], attribute: str) -> list[str]:
    """Every path `attribute` holds in the product, in any channel or locale (comma lists split)."""
    out: list[str] = []
    stack: list[Any] = [product.get("values") or {}]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            if key == attribute and isinstance(value, str):
                out += [p for p in value.split(",") if p]
            elif isinstance(value, dict):
                stack.append(value)
    return out


def same_upload(path: str, filename: str) -> bool:
    """Whether UnoPim stored `filename` at `path` (it keeps the name; unsafe characters may be replaced)."""
    stored = path.rsplit("/", 1)[-1]
    return stored == filename or stored == re.sub(r"[^A-Za-z0-9._-]+", "_", filename)

"""What a BigCommerce write whose answer was lost (a 500, a dropped connection, a cut-off body) may have done,
found out before it is sent again (`send_with_retry`'s `reconcile`), so a retry neither creates anything twice
nor adds a product's pictures twice.

- Creates (a product, a variant, an option, an option value, categories of the tree): the store is asked
  for what the create would have made (by SKU, name or label); when it is there, its record is the answer
  and nothing is sent again.
- Pictures: BigCommerce adds every image a product update carries (B5). Before such an update is sent
  again, the products are read; an image whose file the product already holds (BigCommerce keeps the file's
  name and adds `__<digits>`) is left out of the retry, so no second copy is made.
"""

from __future__ import annotations

import asyncio
import re
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from unopim_desktop.stores.bigcommerce.api import BigCommerceApi

Reconcile = Callable[[], Awaitable[httpx.Response | None]]
PER_LOOKUP = 40


def found(data: Any) -> httpx.Response:
    """The answer a create found done gives instead of the lost one."""
    return httpx.Response(200, json={"data": data}, request=httpx.Request("POST", "https://bigcommerce.invalid/"))


def product_create(api: BigCommerceApi, body: dict[str, Any]) -> Reconcile:
    """A product create: the product holding its SKU (or, without one, its name; names are unique)."""

    async def reconcile() -> httpx.Response | None:
        params = {"sku": body["sku"]} if body.get("sku") else {"name": body.get("name") or ""}
        items = await api.get_json("v3/catalog/products", {**params, "include": "images"})
        data = items.get("data") if isinstance(items, dict) else None
        return found(data[0]) if isinstance(data, list) and data and isinstance(data[0], dict) else None

    return reconcile


def variant_create(api: BigCommerceApi, product_id: int, body: dict[str, Any]) -> Reconcile:
    async def reconcile() -> httpx.Response | None:
        if not body.get("sku"):
            return None
        items = await api.list_all(f"v3/catalog/products/{product_id}/variants", {"sku": body["sku"]})
        hit = next((v for v in items if str(v.get("sku") or "").lower() == str(body["sku"]).lower()), None)
        return found(hit) if hit else None

    return reconcile


def option_create(api: BigCommerceApi, base: str, body: dict[str, Any]) -> Reconcile:
    async def reconcile() -> httpx.Response | None:
        name = str(body.get("display_name") or "").lower()
        hit = next((o for o in await api.list_all(base) if str(o.get("display_name") or "").lower() == name), None)
        return found(hit) if hit else None

    return reconcile


def value_create(api: BigCommerceApi, path: str, label: str) -> Reconcile:
    async def reconcile() -> httpx.Response | None:
        hit = next((v for v in await api.list_all(path) if str(v.get("label") or "").lower() == label.lower()), None)
        return found(hit) if hit else None

    return reconcile


def categories_create(api: BigCommerceApi, pending: list[dict[str, Any]], made: list[dict[str, Any]]) -> Reconcile:
    """Categories of the tree sent in one call: those found are taken out of `pending` (the body sent again)
    and put in `made` (added to the answer by the caller)."""

    async def reconcile() -> httpx.Response | None:
        listed = await api.list_all("v3/catalog/trees/categories", {"tree_id:in": await api.tree_id()})
        have = {(str(c.get("name") or "").lower(), c.get("parent_id") or 0): c for c in listed}
        still = []
        for body in pending:
            hit = have.get((str(body.get("name") or "").lower(), body.get("parent_id") or 0))
            (made.append(hit) if hit else still.append(body))
        pending[:] = still
        return None if pending else found([])

    return reconcile


def file_stem(name: str) -> str:
    """A picture's name as BigCommerce keeps it, comparable with the URL it was made from: no folder, no
    extension, no `__<digits>` BigCommerce adds, its characters as BigCommerce spells them."""
    name = urllib.parse.unquote(name.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1])
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"__\d+$", "", stem)
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:60].lower()


def images_update(api: BigCommerceApi, bodies: list[dict[str, Any]]) -> Reconcile:
    """A products update carrying images: those a product already holds are taken out of its body."""

    async def reconcile() -> httpx.Response | None:
        ids = [b["id"] for b in bodies if b.get("images") and isinstance(b.get("id"), int)]
        held = {pid: {file_stem(str(i.get("image_file") or "")) for i in images}
                for pid, images in (await product_images(api, ids)).items()}
        for body in bodies:
            have = held.get(body.get("id"), set())
            if body.get("images"):
                body["images"] = [i for i in body["images"] if file_stem(str(i.get("image_url") or "")) not in have]
        return None

    return reconcile


async def product_images(api: BigCommerceApi, product_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each product's images as BigCommerce lists them (one listing per `PER_LOOKUP` products, side by side)."""
    found: dict[int, list[dict[str, Any]]] = {}
    ids = sorted(set(product_ids))

    async def read(group: list[int]) -> None:
        params = {"id:in": ",".join(map(str, group)), "include": "images"}
        async for items in api.iter_pages("v3/catalog/products", params):
            for item in items:
                if isinstance(item.get("id"), int):
                    found[item["id"]] = [i for i in item.get("images") or [] if isinstance(i, dict)]

    await asyncio.gather(*(read(ids[i:i + PER_LOOKUP]) for i in range(0, len(ids), PER_LOOKUP)))
    return found

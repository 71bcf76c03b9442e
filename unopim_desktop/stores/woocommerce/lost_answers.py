"""What a WooCommerce batch whose answer was lost (a 500, a dropped connection, a cut-off body) may have
done, found out before it is sent again, so a retry neither creates a product twice nor downloads its
pictures twice.

- Creates: the SKUs are looked up; a product (or a variation of the same parent) found goes as an update
  of what the lost call made.
- Images: WooCommerce downloads every `src` it is sent into a new attachment (A9). The products are read
  back; where one already shows the pictures sent (the same files, by name: WordPress keeps the file's
  name and adds `-1`, `-2`… when it is taken), the retry sends those attachments' ids instead of the
  URLs, so no second copy is made and none is left orphaned in the media library.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import TYPE_CHECKING, Any

from unopim_desktop.stores.woocommerce import payloads as wc

if TYPE_CHECKING:
    from unopim_desktop.stores.woocommerce.api import Reconciler, Resolver, WooApi

API = "wc/v3"
PER_PAGE = 100


def product_resolver(api: WooApi, *, parent_id: int | None = None) -> Resolver:
    """Creates keyed by SKU → the id of the product (or, with `parent_id`, of that parent's variation)
    holding the SKU now."""

    async def resolve(creates: list[tuple[str, dict[str, Any]]]) -> dict[str, int]:
        skus = [str(payload.get("sku") or "") for _, payload in creates]
        found = await api.find_products_by_sku([s for s in skus if s])  # type: ignore[attr-defined]
        out: dict[str, int] = {}
        for (key, _), sku in zip(creates, skus, strict=True):
            hit = found.get(sku) if sku else None
            if hit is None or not hit.store_id:
                continue
            if (parent_id is None and hit.parent_store_id is None) or (
                    parent_id is not None and hit.parent_store_id == parent_id):
                out[key] = hit.store_id
        return out

    return resolve


def _stem(url: str) -> str:
    name = urllib.parse.unquote(url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1])
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return re.sub(r"[^a-z0-9_.-]+", "-", stem.lower()).strip("-")


def same_file(stored_src: str, sent_src: str) -> bool:
    """Whether the attachment at `stored_src` was made from `sent_src` (its name, or the name with the
    `-N` WordPress adds when the name is taken)."""
    stored, sent = _stem(stored_src), _stem(sent_src)
    return bool(sent) and (stored == sent or re.fullmatch(re.escape(sent) + r"-\d+", stored) is not None)


def _shows(current: list[dict[str, Any]], sent: list[dict[str, Any]]) -> bool:
    if len(current) != len(sent):
        return False
    for have, want in zip(current, sent, strict=True):
        if want.get("id"):
            if have.get("id") != want["id"]:
                return False
        elif not same_file(str(have.get("src") or ""), str(want.get("src") or "")):
            return False
    return True


def images_reconciler(api: WooApi, *, parent_id: int | None = None) -> Reconciler:
    """For `set_product_images` (or, with `parent_id`, `set_variant_images`) batches."""

    async def reconcile(body: dict[str, Any]) -> None:
        updates = [u for u in body.get("update") or [] if isinstance(u.get("id"), int)]
        ids = [u["id"] for u in updates if any("src" in i for i in _sent_images(u))]
        if not ids:
            return
        current = await read_images(api, ids, parent_id=parent_id)
        for update in updates:
            sent = _sent_images(update)
            have = current.get(update["id"])
            if have is None or not _shows(have, sent):
                continue
            reused = [{"id": h["id"], **({"alt": s["alt"]} if s.get("alt") else {})} for h, s in zip(have, sent, strict=True)]
            if parent_id:
                update["image"] = reused[0]
            else:
                update["images"] = reused

    return reconcile


async def read_images(api: WooApi, ids: list[int], *, parent_id: int | None = None) -> dict[int, list[dict[str, Any]]]:
    """The pictures products (or, with `parent_id`, that product's variations) show now, by id."""
    path = f"{API}/products/{parent_id}/variations" if parent_id else f"{API}/products"
    fields = "id,image" if parent_id else "id,images"
    current: dict[int, list[dict[str, Any]]] = {}
    for group in wc.chunks(ids, PER_PAGE):
        params = {"include": ",".join(map(str, group)), "per_page": PER_PAGE, "_fields": fields}
        async for items in api.iter_pages(path, params):
            for item in items:
                if isinstance(item.get("id"), int):
                    current[item["id"]] = _shown_images(item)
    return current


def reuse_shown(sent: list[dict[str, Any]], shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The images to send with each picture the product already shows (the same file) given by its attachment
    id instead of its URL, which WooCommerce would download into a new attachment, leaving the old one
    orphaned in the media library. Exact names are matched first, then WordPress's `-N` renames."""
    out = [dict(body) for body in sent]
    free = [h for h in shown if h.get("id")]
    for exact in (True, False):
        for body in out:
            if "src" not in body:
                continue
            src = str(body["src"])
            hit = next((h for h in free if (_stem(str(h.get("src") or "")) == _stem(src) if exact
                                            else same_file(str(h.get("src") or ""), src))), None)
            if hit is not None:
                free.remove(hit)
                del body["src"]
                body["id"] = hit["id"]
    return out


def _sent_images(update: dict[str, Any]) -> list[dict[str, Any]]:
    if "images" in update:
        return [i for i in update["images"] if isinstance(i, dict)]
    return [update["image"]] if isinstance(update.get("image"), dict) else []


def _shown_images(item: dict[str, Any]) -> list[dict[str, Any]]:
    if "images" in item:
        return [i for i in item.get("images") or [] if isinstance(i, dict) and i.get("id")]
    image = item.get("image")
    return [image] if isinstance(image, dict) and image.get("id") else []

"""A product's pictures set to UnoPim's list on BigCommerce, which adds every image a product write carries
(store-apis B5) instead of replacing the list as WooCommerce does.

The product's images are read first (`lost_answers.product_images`, which a retried write uses too). An
image the product already holds is kept (BigCommerce keeps the file's name and adds `__<digits>`, so the same
picture is recognised by its name), its order and thumbnail set if they moved; a second copy of a picture, or
a picture no longer in UnoPim's list, is deleted; only the missing ones are sent. So a changed gallery ends as UnoPim's list, as on WooCommerce, and
a run that adopts products a killed run created with their pictures adds no second copy.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from unopim_desktop.clients.errors import ApiError, NotFound
from unopim_desktop.domain import ItemResult, StoreImage
from unopim_desktop.stores.bigcommerce.api import FATAL, failed_item
from unopim_desktop.stores.bigcommerce.lost_answers import file_stem as stem

if TYPE_CHECKING:
    from unopim_desktop.stores.bigcommerce.adapter import BigCommerceAdapter


@dataclass
class ImagePlan:
    """What one product's images need: `add` (bodies for the product update), `drop` (image ids to delete),
    `fix` (image id → the order and thumbnail it must get), `kept` (ids of images already right)."""

    add: list[dict[str, Any]] = field(default_factory=list)
    drop: list[int] = field(default_factory=list)
    fix: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)

    @property
    def nothing_to_do(self) -> bool:
        return not (self.add or self.drop or self.fix)


def plan_images(wanted: list[StoreImage], current: list[dict[str, Any]]) -> ImagePlan:
    """Pure: UnoPim's images (`wanted`, first = thumbnail) against the product's (`current`, as listed)."""
    plan = ImagePlan()
    unused = [i for i in current if isinstance(i, dict) and isinstance(i.get("id"), int)]
    ordered = [i for i in sorted(wanted, key=lambda i: i.position) if i.src]
    for index, image in enumerate(ordered):
        name = stem(image.src)
        hit = next((c for c in unused if stem(str(c.get("image_file") or "")) == name), None)
        if hit is None:
            body: dict[str, Any] = {"image_url": image.src, "is_thumbnail": index == 0, "sort_order": index}
            if image.alt:
                body["description"] = image.alt
            plan.add.append(body)
            continue
        unused.remove(hit)
        plan.kept.append(hit["id"])
        if bool(hit.get("is_thumbnail")) != (index == 0) or hit.get("sort_order") != index:
            plan.fix.append((hit["id"], {"is_thumbnail": index == 0, "sort_order": index}))
    plan.drop = [i["id"] for i in unused]
    return plan


async def tidy(api: BigCommerceAdapter, key: str, product_id: int, plan: ImagePlan) -> ItemResult | None:
    """Delete the copies and pictures UnoPim no longer lists, and move the kept ones (None: done)."""
    base = f"v3/catalog/products/{product_id}/images"
    try:
        for image_id in plan.drop:
            # NotFound: gone already (a retried delete whose first answer was lost), which is what was wanted.
            with contextlib.suppress(NotFound):
                await api.send("DELETE", f"{base}/{image_id}", idempotent=True)
        for image_id, body in plan.fix:
            await api.send("PUT", f"{base}/{image_id}", json_body=body, idempotent=True)
    except FATAL:
        raise
    except ApiError as exc:
        return failed_item(key, exc, product_id)
    return None

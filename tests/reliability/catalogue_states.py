"""What the fault and kill runs compare: the whole state of the store (WooCommerce or BigCommerce) or of UnoPim
after a run, in a form that two runs can be compared in (ids and write times left out, references by SKU), and
the media each side holds (so an orphaned copy left by a retried upload shows as a difference)."""

from __future__ import annotations

import re
from typing import Any

from tests.support.app import store_state
from unopim_desktop.sandbox.launcher import Sandbox

VOLATILE = ("created_at", "updated_at")
UNORDERED = frozenset({"variants", "up_sells", "cross_sells", "related_products"})


def woo_state(sb: Sandbox) -> dict[str, Any]:
    """The store's products (fields, variations, images, associations) and how many attachments its media
    library holds: a picture downloaded twice would be an extra attachment no product shows."""
    return {"products": store_state(sb), "media": sb.woocommerce.counts()["media"]}


def bc_state(sb: Sandbox) -> dict[str, Any]:
    products = sb.bigcommerce.products()
    sku_of = {p["id"]: p["sku"] for p in products}
    names = {c["id"]: c["name"] for c in sb.bigcommerce.categories_by_id.values()}
    out: dict[str, Any] = {}
    for p in products:
        out[p["sku"]] = {
            "name": p["name"], "price": p["price"], "visible": p.get("is_visible"),
            "description": p.get("description"), "weight": p.get("weight"),
            "categories": sorted(names.get(c, f"#{c}") for c in p.get("categories") or []),
            "related": sorted(sku_of.get(i, f"#{i}") for i in p.get("related_products") or [] if i != -1),
            "images": sorted((i.get("is_thumbnail"), i.get("sort_order"), _file(i.get("image_file", "")))
                             for i in p.get("images") or []),
            "custom_fields": sorted((f["name"], f["value"]) for f in p.get("custom_fields") or []),
            "variants": sorted((v["sku"], v.get("price"), tuple(sorted((o.get("option_display_name", ""),
                                                                         o.get("label", ""))
                                                                        for o in v.get("option_values") or [])))
                               for v in p.get("variants") or [] if v.get("option_values")),
        }
    counts = sb.bigcommerce.counts()
    return {"products": out, "images": counts["images"], "options": counts["options"]}


def _file(image_file: str) -> str:
    """An image's file name without the folder BigCommerce files it under (the image id's last digits) and
    the `__<digits>` it adds to the name."""
    return re.sub(r"__\d+(\.\w+)$", r"\1", image_file.rsplit("/", 1)[-1])


def _comparable(value: Any) -> Any:
    """UnoPim files an upload under its own product id (`product/<id>/…`), which follows the order the
    products were created in; the rest of the path and every other value must match."""
    if isinstance(value, dict):
        # A configurable product lists its variants in the order they were created, which concurrent writes
        # decide: the set is what must match.
        # The same for an association section: which products it names is what both runs must agree on (a
        # push writes those naming products UnoPim already has first, the rest when they arrive).
        return {k: sorted(map(_comparable, v), key=repr) if k in UNORDERED and isinstance(v, list) else _comparable(v)
                for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, str):
        # BigCommerce adds `__<digits>` to a picture's file name; UnoPim keeps the name it is sent.
        value = re.sub(r"__\d+(\.\w+)(?=,|$)", r"\1", value)
        return re.sub(r"(^|,)product/\d+/", r"\1product/*/", value)
    return value


def unopim_state(sb: Sandbox) -> dict[str, Any]:
    """What UnoPim holds, by SKU, without write times; the option, category and media-file counts (an upload
    sent twice would leave a second file on UnoPim's disk)."""
    skus = sorted(str(p["sku"]) for p in list(sb.unopim.products.values()))
    products = {sku: _comparable(sb.unopim.get_product(sku)) for sku in skus}
    counts = sb.unopim.counts()
    return {"products": products, "counts": {k: counts[k] for k in ("products", "configurable_products",
                                                                    "attribute_options", "categories", "media_files")}}

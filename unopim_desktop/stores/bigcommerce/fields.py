"""BigCommerce's own product fields (store-apis B5) ⇄ the neutral `StoreProduct.extra` values, and the rule
that keeps product names unique. Pure functions.

Neutral values (see `domain.EXTRA_FIELDS`): text and price amounts as strings, yes/no as bool, keyword lists
as lists of words. BigCommerce keeps money as numbers and shows 0 for a cost or retail price never set, so
0 reads as none; search keywords are one comma-separated string, meta keywords a list; a custom URL is a path
between slashes; the brand is an id, written by name (`brand_name` creates a missing brand) and read back
through the store's brand list.

Names: BigCommerce refuses a product name another product holds (409 "The product name is a duplicate").
Such a product is saved as "Name (SKU)" (its own SKU, so the name is unique and stays the same on every
write); reading "Name (SKU)" back gives "Name", so neither side ever sees the suffix as an edit.
"""

from __future__ import annotations

from typing import Any

from unopim_desktop.domain import StoreProduct

_TEXT = {"page_title": "page_title", "meta_description": "meta_description", "warranty": "warranty",
         "gtin": "gtin", "mpn": "mpn", "upc": "upc"}
_CHOICE = {"product_type": "type", "availability": "availability", "condition": "condition"}
_FLAG = {"is_featured": "is_featured", "free_shipping": "is_free_shipping"}
_PRICE = {"cost_price": "cost_price", "retail_price": "retail_price"}


def suffixed(name: str, sku: str) -> str:
    """The name BigCommerce gets when another product holds `name` (documented in the README)."""
    return f"{name} ({sku})" if sku else name


def unsuffixed(name: str, sku: str) -> tuple[str, bool]:
    """The name without the clash suffix of this product's own SKU, and whether it had one."""
    tail = f" ({sku})"
    if sku and name.lower().endswith(tail.lower()) and len(name) > len(tail):
        return name[: -len(tail)], True
    return name, False


def is_duplicate_name(text: str) -> bool:
    lowered = text.lower()
    return "name" in lowered and "duplicate" in lowered


def extra_to_bc(product: StoreProduct, body: dict[str, Any], number: Any) -> None:
    """Add the store-kind fields the product carries to a product body (absent keys are not written)."""
    extra = product.extra
    for key, field in _TEXT.items():
        if key in extra:
            body[field] = str(extra[key] or "")
    for key, field in _CHOICE.items():
        if extra.get(key):
            body[field] = str(extra[key])
    for key, field in _FLAG.items():
        if key in extra:
            body[field] = bool(extra[key])
    for key, field in _PRICE.items():
        if key in extra:
            body[field] = number(extra[key]) or 0
    if "meta_keywords" in extra:
        body["meta_keywords"] = [str(w) for w in extra["meta_keywords"] or []]
    if "search_keywords" in extra:
        body["search_keywords"] = ",".join(str(w) for w in extra["search_keywords"] or [])
    url = str(extra.get("custom_url") or "").strip().strip("/")
    if url:
        body["custom_url"] = {"url": f"/{url}/", "is_customized": True}
    if "brand" in extra:
        brand = str(extra["brand"] or "").strip()
        if brand:
            body["brand_name"] = brand  # B5: the brand is created when missing, matched by name
        else:
            body["brand_id"] = 0


def extra_from_bc(raw: dict[str, Any], brands: dict[int, str], text_number: Any) -> dict[str, Any]:
    """Every store-kind field a BigCommerce product has, as neutral values."""
    out: dict[str, Any] = {key: str(raw.get(field) or "") for key, field in _TEXT.items()}
    out.update({key: str(raw.get(field) or "") for key, field in _CHOICE.items()})
    out.update({key: bool(raw.get(field)) for key, field in _FLAG.items()})
    out.update({key: text_number(raw.get(field)) if raw.get(field) else "" for key, field in _PRICE.items()})
    out["meta_keywords"] = [str(w) for w in raw.get("meta_keywords") or [] if str(w).strip()]
    out["search_keywords"] = [w.strip() for w in str(raw.get("search_keywords") or "").split(",") if w.strip()]
    url = raw.get("custom_url") if isinstance(raw.get("custom_url"), dict) else {}
    out["custom_url"] = str(url.get("url") or "").strip().strip("/")
    brand_id = raw.get("brand_id")
    out["brand"] = brands.get(brand_id, "") if isinstance(brand_id, int) and brand_id > 0 else ""
    return out

"""The BigCommerce sandbox store: catalogue records, indexes and their API shapes.

Records are plain dicts holding the API fields (dates as `datetime`), guarded by one re-entrant
lock: the server thread writes, tests read from the main thread. Everything that renders a
record into its API shape lives here so every route and the test helpers agree on it.
"""

from __future__ import annotations

import copy
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from unopim_desktop.sandbox.bigcommerce.auth import DEFAULT_SCOPES, RateLimiter, TokenRegistry
from unopim_desktop.sandbox.bigcommerce.common import iso, num, system_clock

# Fields a base variant shares with its product: BigCommerce keeps them in step (B5, inferred).
BASE_VARIANT_FIELDS = (
    "sku", "price", "sale_price", "retail_price", "cost_price", "map_price", "weight", "width",
    "height", "depth", "inventory_level", "inventory_warning_level", "upc", "mpn", "gtin",
    "bin_picking_number", "is_free_shipping", "fixed_cost_shipping_price",
)  # fmt: skip
PRODUCT_NUMBER_FIELDS = (
    "weight", "width", "depth", "height", "price", "cost_price", "retail_price", "sale_price",
    "map_price", "fixed_cost_shipping_price",
)  # fmt: skip
VARIANT_NUMBER_FIELDS = (
    "price", "sale_price", "retail_price", "map_price", "cost_price", "weight", "width", "height",
    "depth", "fixed_cost_shipping_price",
)  # fmt: skip
IMAGE_SIZES = {
    "url_zoom": "1280x1280",
    "url_standard": "500x659",
    "url_thumbnail": "220x290",
    "url_tiny": "44x58",
}
STORE_CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "AUD": "$", "CAD": "$"}


@dataclass
class FetchedImage:
    """Bytes the store downloaded from an `image_url` (or got from the seed)."""

    data: bytes
    content_type: str
    filename: str


def _default_secret(store_hash: str, kind: str, length: int) -> str:
    # Deterministic, credential-looking strings (BigCommerce tokens are lowercase alphanumerics).
    seed = uuid.uuid5(uuid.NAMESPACE_URL, f"bigcommerce-sandbox/{store_hash}/{kind}").hex
    return (seed * 3)[:length]


class BigCommerceState:
    """One sandbox BigCommerce store (empty until a client or `load_catalogue` fills it).

    `clock` (a callable returning an aware UTC datetime; the real time by default) is where every
    `date_created` / `date_modified` stamp comes from, through `now()`; tests may pass or replace it
    to control time.
    """

    def __init__(
        self,
        *,
        store_hash: str = "sbx1abc",
        access_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        rate_limit: int = 150,
        rate_window_s: float = 30.0,
        default_currency: str = "USD",
        default_locale: str = "en",
        clock: Callable[[], datetime] = system_clock,
    ) -> None:
        self.store_hash = store_hash
        self.access_token = access_token or _default_secret(store_hash, "token", 31)
        self.client_id = client_id or _default_secret(store_hash, "client", 31)
        self.client_secret = client_secret or _default_secret(store_hash, "secret", 64)
        self.default_currency = default_currency
        self.default_locale = default_locale
        self.tokens = TokenRegistry()
        self.tokens.add(self.access_token, list(DEFAULT_SCOPES))
        self.limiter = RateLimiter(rate_limit, rate_window_s)
        self.lock = threading.RLock()
        # Absolute URLs (images) are rendered against the address clients reach the server on;
        # the app sets it from each request.
        self.base_url = "http://127.0.0.1"
        self.clock = clock
        self.created_at = self.now()
        # A list sorted on a column that is not unique (date_modified…) has no documented tie-break: with
        # this on, products whose sort values tie come in a new order for each page request.
        self.shuffle_ties = False
        self.tie_rng = random.Random(1)

        self.products_by_id: dict[int, dict[str, Any]] = {}
        self.variants_by_id: dict[int, dict[str, Any]] = {}
        self.options_by_id: dict[int, dict[str, Any]] = {}
        self.images_by_id: dict[int, dict[str, Any]] = {}
        self.custom_fields_by_id: dict[int, dict[str, Any]] = {}
        self.categories_by_id: dict[int, dict[str, Any]] = {}
        self.brands_by_id: dict[int, dict[str, Any]] = {}
        self.trees: dict[int, dict[str, Any]] = {1: {"id": 1, "name": "Default", "channels": [1]}}
        self.blobs: dict[str, FetchedImage] = {}

        self.variant_ids: dict[int, list[int]] = {}
        self.option_ids: dict[int, list[int]] = {}
        self.image_ids: dict[int, list[int]] = {}
        self.custom_field_ids: dict[int, list[int]] = {}
        self.sku_index: dict[str, tuple[str, int]] = {}  # lower SKU -> ("product"|"variant", id)
        self.name_index: dict[str, int] = {}  # lower product name -> product id
        self.url_index: dict[str, int] = {}  # lower custom_url.url -> product id
        # Ids do not start at 1 so a client that confuses ids with positions is caught.
        self._next = {
            "product": 111, "variant": 64, "sku": 40, "option": 108, "option_value": 68,
            "image": 300, "custom_field": 10, "category": 18, "brand": 35,
        }  # fmt: skip
        self._writes = 0

    # --- public helpers for tests, demo and benchmarks ------------------------------------------

    @property
    def credentials(self) -> dict[str, str]:
        return {
            "api_url_path": f"/stores/{self.store_hash}/",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "access_token": self.access_token,
        }

    def add_token(self, token: str, scopes: list[str]) -> None:
        self.tokens.add(token, scopes)

    def load_catalogue(self, catalogue: Any) -> None:
        from unopim_desktop.sandbox.bigcommerce.seed import seed_store

        with self.lock:
            seed_store(self, catalogue)

    def counts(self) -> dict[str, int]:
        with self.lock:
            base = sum(1 for v in self.variants_by_id.values() if v["_base"])
            return {
                "products": len(self.products_by_id),
                "variants": len(self.variants_by_id) - base,  # option-bearing variants only
                "base_variants": base,
                "categories": len(self.categories_by_id),
                "brands": len(self.brands_by_id),
                "images": len(self.images_by_id),
                "custom_fields": len(self.custom_fields_by_id),
                "options": len(self.options_by_id),
            }

    def products(self) -> list[dict[str, Any]]:
        every = {"variants", "images", "custom_fields", "options"}
        with self.lock:
            return [self.product_out(p, every) for _, p in sorted(self.products_by_id.items())]

    def product_by_sku(self, sku: str) -> dict[str, Any] | None:
        with self.lock:
            owner = self.sku_index.get(sku.lower())
            if owner is None or owner[0] != "product":
                return None
            return self.product_out(
                self.products_by_id[owner[1]], {"variants", "images", "custom_fields", "options"}
            )

    def write_count(self) -> int:
        with self.lock:
            return self._writes

    def record_write(self) -> None:
        with self.lock:
            self._writes += 1

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "store_hash": self.store_hash,
                "counts": self.counts(),
                "writes": self._writes,
                "rate_limit": self.limiter.snapshot(),
                "skus": sorted(p["sku"] for p in self.products_by_id.values() if p["sku"]),
            }

    # --- ids, timestamps, indexes ---------------------------------------------------------------

    def next_id(self, kind: str) -> int:
        value = self._next[kind]
        self._next[kind] = value + 1
        return value

    def now(self) -> datetime:
        """A date stamp: `clock()` to the whole second, as BigCommerce's dates are."""
        return self.clock().replace(microsecond=0)

    def touch(self, product_id: int) -> None:
        product = self.products_by_id.get(product_id)
        if product is not None:
            product["date_modified"] = self.now()

    def sku_owner(self, sku: str) -> tuple[str, int] | None:
        return self.sku_index.get(sku.lower()) if sku else None

    def index_sku(self, sku: str, kind: str, ident: int) -> None:
        if sku:
            self.sku_index[sku.lower()] = (kind, ident)

    def unindex_sku(self, sku: str, kind: str, ident: int) -> None:
        if sku and self.sku_index.get(sku.lower()) == (kind, ident):
            del self.sku_index[sku.lower()]

    def children(self, index: dict[int, list[int]], product_id: int) -> list[int]:
        return index.setdefault(product_id, [])

    # --- variants: the base variant of a product without options ---------------------------------

    def option_variant_ids(self, product_id: int) -> list[int]:
        return [vid for vid in self.variant_ids.get(product_id, []) if not self.variants_by_id[vid]["_base"]]

    def sync_base_variant(self, product_id: int) -> None:
        """A product without option variants has one base variant; with them it has none (B5)."""
        product = self.products_by_id[product_id]
        ids = self.children(self.variant_ids, product_id)
        base_ids = [vid for vid in ids if self.variants_by_id[vid]["_base"]]
        has_options = len(base_ids) != len(ids)
        if has_options:
            for vid in base_ids:
                ids.remove(vid)
                del self.variants_by_id[vid]
            product["base_variant_id"] = None
        elif not base_ids:
            vid = self.next_id("variant")
            self.variants_by_id[vid] = new_variant_record(vid, product_id, base=True)
            ids.append(vid)
            product["base_variant_id"] = vid

    # --- API shapes -----------------------------------------------------------------------------

    def absolute(self, path: str) -> str:
        return f"{self.base_url}{path}" if path.startswith("/") else path

    def cdn_path(self, size: str, key: str) -> str:
        return f"/cdn11/s-{self.store_hash}/images/stencil/{size}/{key}"

    def product_out(self, product: dict[str, Any], include: set[str]) -> dict[str, Any]:
        out = {k: copy.deepcopy(v) for k, v in product.items() if not k.startswith("_")}
        for field in PRODUCT_NUMBER_FIELDS:
            out[field] = num(out[field])
        sale = product["sale_price"]
        out["calculated_price"] = num(sale if sale and sale > 0 else product["price"])
        out["date_created"] = iso(product["date_created"])
        out["date_modified"] = iso(product["date_modified"])
        pid = product["id"]
        if "variants" in include:
            out["variants"] = [
                self.variant_out(self.variants_by_id[v]) for v in self.variant_ids.get(pid, [])
            ]
        if "images" in include:
            out["images"] = [self.image_out(self.images_by_id[i]) for i in self.image_ids.get(pid, [])]
        if "primary_image" in include:
            thumbs = [
                self.images_by_id[i]
                for i in self.image_ids.get(pid, [])
                if self.images_by_id[i]["is_thumbnail"]
            ]
            out["primary_image"] = self.image_out(thumbs[0]) if thumbs else None
        if "custom_fields" in include:
            out["custom_fields"] = [
                self.custom_field_out(self.custom_fields_by_id[c]) for c in self.custom_field_ids.get(pid, [])
            ]
        if "options" in include:
            out["options"] = [self.option_out(self.options_by_id[o]) for o in self.option_ids.get(pid, [])]
        for empty in ("modifiers", "bulk_pricing_rules", "videos", "reviews"):
            if empty in include:
                out[empty] = []
        return out

    def calculated_price(self, variant: dict[str, Any]) -> float:
        """The sale price when set, else the price; a variant's nulls inherit the product's."""
        product = self.products_by_id[variant["product_id"]]
        if variant["_base"]:
            price, sale = product["price"], product["sale_price"]
        else:
            price = variant["price"] if variant["price"] is not None else product["price"]
            sale = variant["sale_price"] if variant["sale_price"] is not None else product["sale_price"]
        return sale if sale and sale > 0 else price

    def variant_out(self, variant: dict[str, Any]) -> dict[str, Any]:
        product = self.products_by_id[variant["product_id"]]
        out = {k: copy.deepcopy(v) for k, v in variant.items() if not k.startswith("_")}
        if variant["_base"]:
            for field in BASE_VARIANT_FIELDS:
                out[field] = product[field]
        for field in VARIANT_NUMBER_FIELDS:
            out[field] = num(out[field])
        out["calculated_price"] = num(self.calculated_price(variant))
        weight = out["weight"] if out["weight"] is not None else product["weight"]
        out["calculated_weight"] = num(weight)
        out["image_url"] = self.absolute(variant["image_url"]) if variant["image_url"] else ""
        out["option_values"] = [self.option_value_ref(oid, vid) for oid, vid in variant["_values"]]
        return out

    def option_value_ref(self, option_id: int, value_id: int) -> dict[str, Any]:
        """A variant's `option_values` item: `{id, label, option_id, option_display_name}` (B6)."""
        option = self.options_by_id[option_id]
        label = next((v["label"] for v in option["option_values"] if v["id"] == value_id), "")
        return {
            "id": value_id,
            "label": label,
            "option_id": option_id,
            "option_display_name": option["display_name"],
        }

    def option_out(self, option: dict[str, Any]) -> dict[str, Any]:
        return copy.deepcopy({k: v for k, v in option.items() if not k.startswith("_")})

    def image_out(self, image: dict[str, Any]) -> dict[str, Any]:
        out = {k: copy.deepcopy(v) for k, v in image.items() if not k.startswith("_")}
        for field, size in IMAGE_SIZES.items():
            out[field] = self.absolute(self.cdn_path(size, image["_blob"]))
        # The store answers with its own copy, not the URL it was given (inferred; clients must
        # not compare it with their source URL).
        out["image_url"] = self.absolute(self.cdn_path("original", image["_blob"]))
        out["date_modified"] = iso(image["date_modified"])
        return out

    def custom_field_out(self, field: dict[str, Any]) -> dict[str, Any]:
        return {"id": field["id"], "name": field["name"], "value": field["value"]}

    def tree_category_out(self, category: dict[str, Any]) -> dict[str, Any]:
        return {
            "category_id": category["id"],
            "category_uuid": category["_uuid"],
            "parent_id": category["parent_id"],
            "tree_id": category["tree_id"],
            **_category_common(category),
            "url": {"path": category["_url"], "is_customized": category["_url_customized"]},
        }

    def legacy_category_out(self, category: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": category["id"],
            "parent_id": category["parent_id"],
            **_category_common(category),
            "custom_url": {"url": category["_url"], "is_customized": category["_url_customized"]},
        }

    def brand_out(self, brand: dict[str, Any]) -> dict[str, Any]:
        return copy.deepcopy({k: v for k, v in brand.items() if not k.startswith("_")})

    def store_info(self) -> dict[str, Any]:
        """`GET /v2/store`: the unwrapped store object of store_information.v2.yml (B4)."""
        host = f"store-{self.store_hash}.mybigcommerce.com"
        return {
            "id": self.store_hash,
            "account_uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"bc-sandbox-account/{self.store_hash}")),
            "domain": host,
            "secure_url": f"https://{host}",
            "control_panel_base_url": f"https://store-{self.store_hash}.mybigcommerce.com",
            "status": "live",
            "name": "UnoPim Sandbox Store",
            "first_name": "Sandbox",
            "last_name": "Merchant",
            "address": "UnoPim Sandbox",
            "country": "United States",
            "country_code": "US",
            "phone": "",
            "admin_email": "merchant@example.com",
            "order_email": "orders@example.com",
            "favicon_url": "",
            "timezone": {
                "name": "Etc/UTC",
                "raw_offset": 0,
                "dst_offset": 0,
                "dst_correction": False,
                "date_format": {
                    "display": "M jS Y",
                    "export": "M jS Y",
                    "extended_display": "M jS Y @ g:i A",
                },
            },
            "language": self.default_locale,
            "currency": self.default_currency,
            "currency_symbol": STORE_CURRENCY_SYMBOLS.get(self.default_currency, self.default_currency),
            "decimal_separator": ".",
            "thousands_separator": ",",
            "decimal_places": 2,
            "currency_symbol_location": "left",
            "weight_units": "Ounces",
            "dimension_units": "Inches",
            "dimension_decimal_places": 2,
            "dimension_decimal_token": ".",
            "dimension_thousands_token": ",",
            "plan_name": "Standard",
            "plan_level": "Standard",
            "plan_is_trial": False,
            "industry": "Technology",
            "logo": [],
            "is_price_entered_with_tax": False,
            "store_id": 1000000 + sum(ord(c) for c in self.store_hash),
            "default_channel_id": 1,
            "default_site_id": 1000,
            "active_comparison_modules": [],
            "features": {
                "stencil_enabled": True,
                "sitewidehttps_enabled": True,
                "facebook_catalog_id": "",
                "checkout_type": "optimized",
                "wishlists_enabled": True,
                "graphql_storefront_api_enabled": True,
                "shopper_consent_tracking_enabled": True,
                "multi_storefront_enabled": False,
                "storefront_limits": {"active": 1, "total_including_inactive": 1},
            },
        }


def _category_common(category: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "name", "description", "views", "sort_order", "page_title", "meta_keywords", "meta_description",
        "layout_file", "image_url", "is_visible", "search_keywords", "default_product_sort",
    )  # fmt: skip
    return {k: copy.deepcopy(category[k]) for k in keys}


def new_product_record(product_id: int, now: datetime) -> dict[str, Any]:
    """Every product_Full field with the value a new BigCommerce product gets (bc-product.json)."""
    return {
        "id": product_id, "name": "", "type": "physical", "sku": "", "description": "",
        "weight": 0.0, "width": 0.0, "depth": 0.0, "height": 0.0,
        "price": 0.0, "cost_price": 0.0, "retail_price": 0.0, "sale_price": 0.0, "map_price": 0.0,
        "tax_class_id": 0, "product_tax_code": "", "calculated_price": 0.0, "categories": [],
        "brand_id": 0, "option_set_id": None, "option_set_display": "right",
        "inventory_level": 0, "inventory_warning_level": 0, "inventory_tracking": "none",
        "reviews_rating_sum": 0, "reviews_count": 0, "total_sold": 0,
        "fixed_cost_shipping_price": 0.0, "is_free_shipping": False, "is_visible": True,
        "is_featured": False, "related_products": [-1], "warranty": "", "bin_picking_number": "",
        "layout_file": "product.html", "upc": "", "mpn": "", "gtin": "", "date_last_imported": None,
        "search_keywords": "", "availability": "available", "availability_description": "",
        "gift_wrapping_options_type": "any", "gift_wrapping_options_list": [], "sort_order": 0,
        "condition": "New", "is_condition_shown": False, "order_quantity_minimum": 0,
        "order_quantity_maximum": 0, "page_title": "", "meta_keywords": [], "meta_description": "",
        "date_created": now, "date_modified": now, "view_count": 0, "preorder_release_date": None,
        "preorder_message": "", "is_preorder_only": False, "is_price_hidden": False,
        "price_hidden_label": "", "custom_url": {"url": "", "is_customized": False},
        "base_variant_id": None, "open_graph_type": "product", "open_graph_title": "",
        "open_graph_description": "", "open_graph_use_meta_description": True,
        "open_graph_use_product_name": True, "open_graph_use_image": True,
    }  # fmt: skip


def new_variant_record(
    variant_id: int, product_id: int, *, base: bool, sku_id: int | None = None
) -> dict[str, Any]:
    """productVariant_Full (bc-product-variants.json); null prices/dimensions inherit the product's."""
    return {
        "id": variant_id, "product_id": product_id, "sku": "", "sku_id": sku_id,
        "price": None, "calculated_price": None, "sale_price": None, "retail_price": None,
        "map_price": None, "weight": None, "calculated_weight": None, "width": None, "height": None,
        "depth": None, "is_free_shipping": False, "fixed_cost_shipping_price": 0.0,
        "purchasing_disabled": False, "purchasing_disabled_message": "", "image_url": "",
        "cost_price": None, "upc": "", "mpn": "", "gtin": "", "inventory_level": 0,
        "inventory_warning_level": 0, "bin_picking_number": "", "_values": [], "_base": base,
    }  # fmt: skip


def new_category_record(
    category_id: int, name: str, parent_id: int, tree_id: int, url: str
) -> dict[str, Any]:
    return {
        "id": category_id, "parent_id": parent_id, "tree_id": tree_id, "name": name,
        "description": "", "views": 0, "sort_order": 0, "page_title": "", "meta_keywords": [],
        "meta_description": "", "layout_file": "category.html", "image_url": "", "is_visible": True,
        "search_keywords": "", "default_product_sort": "use_store_settings",
        "_uuid": str(uuid.uuid4()), "_url": url, "_url_customized": False,
    }  # fmt: skip


def new_brand_record(brand_id: int, name: str) -> dict[str, Any]:
    return {
        "id": brand_id, "name": name, "page_title": "", "meta_keywords": [], "meta_description": "",
        "image_url": "", "search_keywords": "", "custom_url": {"url": "", "is_customized": False},
    }  # fmt: skip

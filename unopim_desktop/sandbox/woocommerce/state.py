"""The WooCommerce sandbox's store: products, variations, terms, attributes and media in plain objects.

The server thread writes and the test thread reads, so every access goes through `WooState.lock`.
Ids follow WordPress: products, variations and media share the posts sequence; categories, tags
and attribute terms share the terms sequence; global attributes have their own.
"""

from __future__ import annotations

import copy
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from unopim_desktop.sandbox.woocommerce.wp import specialchars

_IMMUTABLE = (str, int, float, bool, type(None), datetime, timedelta)


def copy_record(value: Any) -> Any:
    """`copy.deepcopy` for a stored record (dicts and lists of plain values), several times faster.

    Records are trees built from request JSON: nothing in one is reachable twice, so copying without
    deepcopy's memo gives the same copy. Any other kind of value is handed to deepcopy.
    """
    if type(value) is dict:
        return {k: v if type(v) in _IMMUTABLE else copy_record(v) for k, v in value.items()}
    if type(value) is list:
        return [v if type(v) in _IMMUTABLE else copy_record(v) for v in value]
    if type(value) in _IMMUTABLE:
        return value
    return copy.deepcopy(value)


CATEGORY = "product_cat"
TAG = "product_tag"
DEFAULT_CATEGORY_ID = 15  # WooCommerce's "Uncategorized" on a fresh install


def attribute_taxonomy(attribute_id: int) -> str:
    """Internal taxonomy key of a global attribute's terms (WordPress calls it `pa_<slug>`)."""
    return f"pa:{attribute_id}"


@dataclass
class ApiKey:
    key_id: int
    consumer_key: str
    consumer_secret: str
    permissions: str  # "read", "write" or "read_write"
    user_id: int = 1
    # WooCommerce keys used nonces by timestamp, so a second nonce in the same second replaces the first.
    nonces: dict[int, str] = field(default_factory=dict)


@dataclass
class Media:
    id: int
    file: str  # "YYYY/MM/name.ext" under wp-content/uploads
    mime: str
    title: str
    date_created: datetime
    date_modified: datetime
    alt: str = ""
    parent: int = 0
    data: bytes | None = None
    loader: Callable[[], bytes | None] | None = None  # lazily served bytes (seeded catalogues)

    def content(self) -> bytes:
        if self.data is not None:
            return self.data
        return (self.loader() if self.loader else None) or b""


@dataclass
class Term:
    id: int
    taxonomy: str
    name: str  # stored as WordPress stores it (`&` as `&amp;`)
    slug: str
    parent: int = 0
    description: str = ""
    display: str = "default"
    image_id: int = 0
    menu_order: int = 0


@dataclass
class Attribute:
    id: int
    name: str
    slug: str  # without the "pa_" prefix
    type: str = "select"
    order_by: str = "menu_order"
    has_archives: bool = False


def record_term_ids(record: dict[str, Any] | None) -> set[int]:
    if record is None:
        return set()
    ids = set(record["category_ids"]) | set(record["tag_ids"])
    for item in record["attributes"]:
        if item["attribute_id"]:
            ids.update(item["options"])
    return ids


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class WooState:
    """Everything a WooCommerce store holds that the sync touches, plus the API keys."""

    def __init__(
        self,
        *,
        consumer_key: str = "ck_3b6f0c1d2e4a5f60718293a4b5c6d7e8f9a0b1c2",
        consumer_secret: str = "cs_9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d",
        read_only_key: str = "ck_ro5a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c",
        read_only_secret: str = "cs_ro0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8",
        wp_user: str = "admin",
        wp_app_password: str = "abcd efgh ijkl mnop qrst uvwx",
    ) -> None:
        self.lock = threading.RLock()
        self.keys: dict[str, ApiKey] = {
            consumer_key: ApiKey(1, consumer_key, consumer_secret, "read_write"),
            read_only_key: ApiKey(2, read_only_key, read_only_secret, "read"),
        }
        self.credentials: dict[str, str] = {"consumer_key": consumer_key, "consumer_secret": consumer_secret}
        self.read_only_credentials: dict[str, str] = {"consumer_key": read_only_key, "consumer_secret": read_only_secret}
        self.wp_user = wp_user
        self.wp_app_password = wp_app_password
        # The site's time zone: `date_*` fields are local, `date_*_gmt` UTC. Not UTC on purpose, so a
        # client that mixes the two is caught.
        self.utc_offset = timedelta(hours=2)
        self.site_url = "http://127.0.0.1"  # refreshed from each request's scheme and Host header
        # MySQL returns rows whose ORDER BY values tie in no set order, and may return them in another for
        # each LIMIT/OFFSET query: with this on, listings shuffle such rows anew on every page request.
        self.shuffle_ties = False
        self.tie_rng = random.Random(1)
        self.currency_symbol = "&#36;"
        self.currency = "USD"
        # Plugins (i18n.md): WPML + WCML (`enable_wpml`), and the multi-currency plugins, listed as active in
        # `system_status`. Their currency settings live in WordPress options no REST route shows.
        self.wpml: Any = None  # a `wpml.Wpml` when WPML and WCML are active
        self.active_plugins: list[dict[str, str]] = []
        self.curcy_currencies: tuple[str, ...] = ()
        self.wcml_currencies: tuple[str, ...] = ()

        self.product_records: dict[int, dict[str, Any]] = {}
        self.variation_records: dict[int, dict[str, Any]] = {}
        self.media: dict[int, Media] = {}
        self.media_files: dict[str, int] = {}  # "YYYY/MM/name.ext" -> media id
        self.product_slugs: dict[str, int] = {}  # post_name -> product id (slugs are unique per post type)
        self.children: dict[int, set[int]] = {}  # product id -> its variation ids
        self.term_products: dict[int, set[int]] = {}  # term id -> products using it (category, tag, option)
        self.terms: dict[int, Term] = {}
        self.attributes: dict[int, Attribute] = {}
        self.sku_index: dict[str, int] = {}  # casefolded SKU -> product/variation id (MySQL compares SKUs ci)

        self._next_post_id = 10  # a fresh WordPress already has a few posts and pages
        self._next_term_id = DEFAULT_CATEGORY_ID
        self._next_attribute_id = 1
        self._next_meta_id = 1000
        self._writes = 0
        self.version = 0
        self.cache: dict[Any, Any] = {}
        self.terms[self.new_term_id()] = Term(DEFAULT_CATEGORY_ID, CATEGORY, "Uncategorized", "uncategorized")

    # --- ids, clocks and bookkeeping ------------------------------------------------------------

    def new_post_id(self) -> int:
        with self.lock:
            self._next_post_id += 1
            return self._next_post_id - 1

    def new_term_id(self) -> int:
        with self.lock:
            self._next_term_id += 1
            return self._next_term_id - 1

    def new_attribute_id(self) -> int:
        with self.lock:
            self._next_attribute_id += 1
            return self._next_attribute_id - 1

    def new_meta_id(self) -> int:
        with self.lock:
            self._next_meta_id += 1
            return self._next_meta_id - 1

    def now(self) -> datetime:
        return utc_now()

    def local(self, moment: datetime) -> datetime:
        return moment + self.utc_offset

    def changed(self) -> None:
        """Something was written: drop cached listings."""
        with self.lock:
            self.version += 1
            self.cache.clear()

    def count_write(self) -> None:
        with self.lock:
            self._writes += 1
            self.changed()

    # --- SKU index --------------------------------------------------------------------------------

    def sku_owner(self, sku: str, exclude_id: int = 0) -> int:
        """Id of the live product or variation holding `sku` (trashed posts do not hold SKUs)."""
        owner = self.sku_index.get(sku.strip().casefold(), 0)
        return 0 if owner == exclude_id else owner

    def index_sku(self, post_id: int, old_sku: str, new_sku: str, *, live: bool = True) -> None:
        old_key, new_key = old_sku.strip().casefold(), new_sku.strip().casefold()
        if old_key and self.sku_index.get(old_key) == post_id:
            del self.sku_index[old_key]
        if new_key and live:
            self.sku_index[new_key] = post_id

    def unique_sku(self, sku: str, exclude_id: int = 0) -> str:
        """`wc_product_generate_unique_sku`: the first of sku-1, sku-2, ... not in use."""
        index = 1
        while self.sku_owner(f"{sku}-{index}", exclude_id):
            index += 1
        return f"{sku}-{index}"

    # --- indexes ----------------------------------------------------------------------------------

    def store_variation(self, record: dict[str, Any]) -> None:
        self.variation_records[record["id"]] = record
        self.children.setdefault(record["parent_id"], set()).add(record["id"])

    def drop_variation(self, variation_id: int) -> None:
        record = self.variation_records.pop(variation_id, None)
        if record is not None:
            self.children.get(record["parent_id"], set()).discard(variation_id)
            self.index_sku(variation_id, record["sku"], "", live=False)

    def index_terms(self, product_id: int, before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        """Keep `term_products` in step when a product's categories, tags or attribute options change."""
        old, new = record_term_ids(before), record_term_ids(after)
        for term_id in old - new:
            self.term_products.get(term_id, set()).discard(product_id)
        for term_id in new - old:
            self.term_products.setdefault(term_id, set()).add(product_id)

    # --- terms ------------------------------------------------------------------------------------

    def terms_of(self, taxonomy: str) -> list[Term]:
        return [t for t in self.terms.values() if t.taxonomy == taxonomy]

    def term_by_name(self, taxonomy: str, name: str, parent: int | None = None, lang: str | None = None) -> Term | None:
        """By name (with WPML: within one language, the default unless `lang` says)."""
        wanted = specialchars(name).casefold()  # WordPress compares the stored (encoded) form
        language = (lang or self.wpml.default) if self.wpml is not None else None
        for term in self.terms.values():
            if term.taxonomy == taxonomy and term.name.casefold() == wanted and (parent is None or term.parent == parent) \
                    and (language is None or self.wpml.term_language(term.id) == language):
                return term
        return None

    # --- plugins ------------------------------------------------------------------------------------

    def enable_wpml(self, default: str = "en", languages: tuple[str, ...] = ("en", "fr", "de")) -> None:
        from unopim_desktop.sandbox.woocommerce.wpml import WCML_PLUGIN, WPML_PLUGIN, Wpml

        with self.lock:
            self.wpml = Wpml(default=default, languages=tuple(languages), copy_price_meta=bool(self.wcml_currencies))
            self.active_plugins += [WPML_PLUGIN, WCML_PLUGIN]
            self.changed()

    def enable_curcy(self, currencies: tuple[str, ...]) -> None:
        from unopim_desktop.sandbox.woocommerce.wpml import CURCY_PLUGIN

        with self.lock:
            self.curcy_currencies = tuple(currencies)
            self.active_plugins.append(CURCY_PLUGIN)

    def enable_wcml_multicurrency(self, currencies: tuple[str, ...]) -> None:
        """WCML's multi-currency in "independent" mode (custom prices per product)."""
        from unopim_desktop.sandbox.woocommerce.wpml import WCML_PLUGIN

        with self.lock:
            self.wcml_currencies = tuple(currencies)
            if WCML_PLUGIN not in self.active_plugins:
                self.active_plugins.append(WCML_PLUGIN)
            if self.wpml is not None:
                self.wpml.copy_price_meta = True

    def term_by_slug(self, taxonomy: str, slug: str) -> Term | None:
        for term in self.terms.values():
            if term.taxonomy == taxonomy and term.slug == slug:
                return term
        return None

    # --- public API for tests, the launcher and benchmarks ------------------------------------------

    def load_catalogue(self, catalogue: Any) -> None:
        """Fill the store from a generated catalogue (the "store full, UnoPim empty" scenario)."""
        from unopim_desktop.sandbox.woocommerce.seed import load_catalogue

        load_catalogue(self, catalogue)

    def counts(self) -> dict[str, int]:
        with self.lock:
            live = sum(1 for p in self.product_records.values() if p["status"] != "trash")
            return {
                "products": live,
                "trashed": len(self.product_records) - live,
                "variations": sum(1 for v in self.variation_records.values() if v["status"] != "trash"),
                "categories": sum(1 for t in self.terms.values() if t.taxonomy == CATEGORY),
                "tags": sum(1 for t in self.terms.values() if t.taxonomy == TAG),
                "attributes": len(self.attributes),
                "terms": sum(1 for t in self.terms.values() if t.taxonomy.startswith("pa:")),
                "media": len(self.media),
            }

    def products(self, *, include_trashed: bool = False) -> list[dict[str, Any]]:
        from unopim_desktop.sandbox.woocommerce.render import render_product

        with self.lock:
            return [
                copy.deepcopy(render_product(self, rec, self.site_url))
                for rec in self.product_records.values()
                if include_trashed or rec["status"] != "trash"
            ]

    def product_by_sku(self, sku: str) -> dict[str, Any] | None:
        """The live product with this SKU, or the variation (variation shape) if a variation holds it."""
        from unopim_desktop.sandbox.woocommerce.render import render_product, render_variation

        with self.lock:
            owner = self.sku_owner(sku)
            if owner in self.product_records:
                return render_product(self, self.product_records[owner], self.site_url)
            if owner in self.variation_records:
                return render_variation(self, self.variation_records[owner], self.site_url)
            return None

    def variations(self, product_id: int) -> list[dict[str, Any]]:
        from unopim_desktop.sandbox.woocommerce.render import render_variation

        with self.lock:
            children = [self.variation_records[i] for i in self.children.get(product_id, ())
                        if self.variation_records[i]["status"] != "trash"]
            children.sort(key=lambda v: (v["menu_order"], v["id"]))
            return [render_variation(self, v, self.site_url) for v in children]

    def write_count(self) -> int:
        with self.lock:
            return self._writes

    def touch_product(self, product_id: int, **changes: Any) -> None:
        """Edit a product as a merchant in wp-admin would: fields change and `date_modified` moves on.

        The new modification time is at least one second after the previous one, so a delta pull
        keyed on `modified_after` sees the edit even when it lands in the same second as a push.
        """
        with self.lock:
            store = self.product_records
            record = store.get(product_id) or self.variation_records.get(product_id)
            if record is None:
                raise KeyError(f"no product or variation {product_id}")
            if "sku" in changes:
                self.index_sku(product_id, record["sku"], str(changes["sku"]), live=record["status"] != "trash")
            before = copy.deepcopy(record) if product_id in self.product_records else None
            record.update(changes)
            if before is not None:
                self.index_terms(product_id, before, record)
            record["date_modified"] = max(self.now(), record["date_modified"] + timedelta(seconds=1))
            self.changed()

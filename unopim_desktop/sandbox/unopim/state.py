"""The UnoPim sandbox's data: settings, catalog structure, products, stored files and OAuth clients.

Everything lives in plain dicts keyed by the case-folded code, in insertion (= internal id) order:
UnoPim's tables use a case-insensitive collation, so `GET /locales/EN_US` finds `en_US` and a
second product `abc-1` collides with `ABC-1`. The uvicorn thread and the test thread share this
object, so every access goes through `lock`.
"""

from __future__ import annotations

import bisect
import copy
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from unopim_desktop.sandbox.unopim import defaults
from unopim_desktop.sandbox.unopim.auth import AuthRegistry, FixedWindowLimiter

DEMO_CREDENTIALS: dict[str, str] = {
    "client_id": "9d21be0a-5319-4dd0-9482-3939684c6782",
    "client_secret": "sQ3vT8rW1yZ5bN7mK2pL9dF4gH6jC0xV3aE8uR5t",
    "username": "admin@example.com",
    "password": "admin123",
}

# The token-route limiter of V3 (OAUTH_TOKEN_RATE_LIMIT default).
TOKEN_RATE_LIMIT = 10


def key_of(code: str) -> str:
    return code.casefold()


def format_timestamp(moment: datetime) -> str:
    """Eloquent's ISO-8601 UTC with microseconds, e.g. `2024-10-03T05:25:49.000000Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _hashable(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _pairs(section: Any) -> list[tuple[str, Any]]:
    return [(str(k), v) for k, v in section.items()] if isinstance(section, dict) else []


class MediaStore:
    """The public disk: stored files by path. A loaded catalogue's images are produced on demand
    (`Catalogue.image_bytes`) so a 100k-product catalogue does not sit in memory as PNGs."""

    def __init__(self) -> None:
        self._files: dict[str, bytes] = {}
        self._lazy: set[str] = set()
        self._source: Any = None

    def attach(self, catalogue: Any) -> None:
        self._source = catalogue
        self._lazy = set(catalogue.image_paths()) if hasattr(catalogue, "image_paths") else set()

    def __contains__(self, path: object) -> bool:
        return path in self._files or path in self._lazy

    def get(self, path: str, default: bytes | None = None) -> bytes | None:
        if path in self._files:
            return self._files[path]
        if path in self._lazy and self._source is not None:
            data = self._source.image_bytes(path)
            return data if data is not None else default
        return default

    def __setitem__(self, path: str, data: bytes) -> None:
        self._files[path] = data

    def pop(self, path: str, default: bytes | None = None) -> bytes | None:
        data = self.get(path, default)
        self._files.pop(path, None)
        self._lazy.discard(path)
        return data

    def __len__(self) -> int:
        return len(self._files) + len(self._lazy - self._files.keys())


class UnoPimState:
    """One UnoPim instance: its data, its API version and its auth set-up."""

    def __init__(self, *, version: int = 3, rate_limit_per_min: int | None = None,
                 access_token_ttl: int = 3600, refresh_token_ttl: int = 3600,
                 catalogue: Any = None, timezone: str = "UTC") -> None:  # fmt: skip
        if version not in (1, 3):
            raise ValueError("version must be 1 or 3")
        self.version = version
        # APP_TIMEZONE: the zone the timestamp columns are written in (answers still show UTC). Date
        # filters compare their value with the column as it is (unopim-api.md §13.3).
        self.zone = ZoneInfo(timezone)
        self.rate_limit_per_min = rate_limit_per_min
        self.lock = threading.RLock()
        self.auth = AuthRegistry(
            version=version, access_token_ttl=access_token_ttl, refresh_token_ttl=refresh_token_ttl
        )
        self.credentials: dict[str, str] = dict(DEMO_CREDENTIALS)
        self.auth.add_client(**DEMO_CREDENTIALS)
        self.rest_limiter = FixedWindowLimiter(rate_limit_per_min) if rate_limit_per_min else None
        self.token_limiter = (
            FixedWindowLimiter(TOKEN_RATE_LIMIT) if rate_limit_per_min and version >= 3 else None
        )
        # MySQL TIMESTAMP columns keep whole seconds, so stamps are truncated to the second; tests
        # may replace `clock` to control time.
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        # Fidelity switch (unopim-api.md §9): make `sku IN [...]` match only the first SKU, as
        # UnoPim's query actually does. Off by default: the sandbox serves the intended semantics.
        self.emulate_sku_in_bug = False
        self._writes = 0
        self.reset_fresh_install()
        if catalogue is not None:
            self.load_catalogue(catalogue)

    # -- collections --------------------------------------------------------------------------
    def reset_fresh_install(self) -> None:
        with self.lock:
            self.locales: dict[str, dict[str, Any]] = {}
            for code in defaults.FRESH_LOCALES:
                self.locales[key_of(code)] = {"code": code, "status": 1 if code == defaults.DEFAULT_LOCALE else 0}
            self.currencies: dict[str, dict[str, Any]] = {}
            for code, label in defaults.FRESH_CURRENCIES:
                self.currencies[key_of(code)] = {
                    "code": code,
                    "status": 1 if code == defaults.DEFAULT_CURRENCY else 0,
                    "label": label,
                }
            self.channels = {key_of(c["code"]): c for c in defaults.fresh_channels()}
            self.attribute_groups = {key_of(g["code"]): g for g in defaults.fresh_attribute_groups()}
            self.attributes = {key_of(a["code"]): a for a in defaults.fresh_attributes()}
            self.attribute_options: dict[str, list[dict[str, Any]]] = {
                key_of(k): v for k, v in defaults.fresh_attribute_options().items()
            }
            self.families = {key_of(f["code"]): f for f in defaults.fresh_families()}
            self.category_fields = {key_of(f["code"]): f for f in defaults.fresh_category_fields()}
            self.category_field_options: dict[str, list[dict[str, Any]]] = {}
            self.categories: dict[str, dict[str, Any]] = {}
            self._next_category_id = 1
            for cat in defaults.fresh_categories():
                self.insert_category(cat)
            self.products: dict[int, dict[str, Any]] = {}
            self._products_changes = 0  # bumped when a product comes or goes: see products_of_type
            self._typed_key: tuple[dict[int, dict[str, Any]], int, int] | None = None
            self._typed: dict[str, list[dict[str, Any]]] = {}
            self._unique_index: dict[tuple[str, str | None, str | None], dict[str, set[int]]] | None = None
            self._children: dict[int, list[int]] | None = None
            self.sku_index: dict[str, int] = {}
            self._next_product_id = 1
            self.storage = MediaStore()
            # Association types (the three legacy sections; tests may add custom ones such as `bundle_kit`).
            self.association_types: list[str] = ["up_sells", "cross_sells", "related_products"]

    def now(self) -> str:
        return format_timestamp(self.clock().replace(microsecond=0))

    def clear_categories(self) -> None:
        self.categories = {}
        self._next_category_id = 1

    def insert_category(self, cat: dict[str, Any]) -> dict[str, Any]:
        record = {
            "id": self._next_category_id,
            "code": cat["code"],
            "parent": cat.get("parent"),
            "additional_data": copy.deepcopy(cat.get("additional_data") or {}),
        }
        self._next_category_id += 1
        self.categories[key_of(cat["code"])] = record
        return record

    def insert_product(self, record: dict[str, Any]) -> dict[str, Any]:
        """Store a product record (internal shape) under a new id and index its SKU."""
        record["id"] = self._next_product_id
        self._next_product_id += 1
        self.products[record["id"]] = record
        self._products_changes += 1
        self.sku_index[key_of(record["sku"])] = record["id"]
        self._index(record["id"], record.get("values"), add=True)
        self._children = None
        return record

    def products_of_type(self, product_type: str) -> list[dict[str, Any]]:
        """The products of one type in id order (`products` keeps insertion order, which is id order).

        Every listing page filters these, so they are kept until a product comes or goes (a type never
        changes). The list is shared: callers must not change it.
        """
        cached = self._typed_key
        if (cached is None or cached[0] is not self.products
                or cached[1:] != (self._products_changes, len(self.products))):
            self._typed_key, self._typed = (self.products, self._products_changes, len(self.products)), {}
        rows = self._typed.get(product_type)
        if rows is None:
            rows = self._typed[product_type] = [r for r in self.products.values() if r["type"] == product_type]
        return rows

    def products_of_type_after(self, product_type: str, after: int) -> Iterator[dict[str, Any]]:
        """`products_of_type` from the first id above `after` on."""
        rows = self.products_of_type(product_type)
        return itertools.islice(rows, bisect.bisect_right(rows, after, key=lambda row: row["id"]), None)

    def forget_variant_index(self) -> None:
        self._children = None

    def children_of(self, pid: int) -> list[dict[str, Any]]:
        """Variants of a configurable, in id order (an index rebuilt after products come or go)."""
        if self._children is None:
            self._children = {}
            for record in self.products.values():
                if record.get("parent_id") is not None:
                    self._children.setdefault(record["parent_id"], []).append(record["id"])
        return [self.products[i] for i in self._children.get(pid, []) if i in self.products]

    def remove_product(self, record: dict[str, Any]) -> None:
        self._index(record["id"], record.get("values"), add=False)
        self.products.pop(record["id"], None)
        self._products_changes += 1
        self.sku_index.pop(key_of(record["sku"]), None)
        self._children = None

    # -- unique attribute values (so `is_unique` checks do not scan every product) --------------
    def _unique_entries(self, values: Any) -> list[tuple[tuple[str, str | None, str | None], str]]:
        entries: list[tuple[tuple[str, str | None, str | None], str]] = []
        if not isinstance(values, dict):
            return entries
        unique = {k: a for k, a in self.attributes.items() if a.get("is_unique")}
        if not unique:
            return entries

        def add(bucket: Any, channel: str | None, locale: str | None) -> None:
            if isinstance(bucket, dict):
                for code, value in bucket.items():
                    if key_of(str(code)) in unique and value is not None:
                        entries.append(((key_of(str(code)), channel, locale), _hashable(value)))

        add(values.get("common"), None, None)
        for channel, bucket in _pairs(values.get("channel_specific")):
            add(bucket, channel, None)
        for locale, bucket in _pairs(values.get("locale_specific")):
            add(bucket, None, locale)
        for channel, locales in _pairs(values.get("channel_locale_specific")):
            for locale, bucket in _pairs(locales):
                add(bucket, channel, locale)
        return entries

    def unique_holders(self, code: str, channel: str | None, locale: str | None, value: Any) -> set[int]:
        """Ids of the products whose value for this unique attribute (and scope) equals `value`."""
        if self._unique_index is None:
            self._unique_index = {}
            for record in self.products.values():
                self._index(record["id"], record["values"], add=True)
        return set(self._unique_index.get((key_of(code), channel, locale), {}).get(_hashable(value), set()))

    def _index(self, pid: int, values: Any, *, add: bool) -> None:
        if self._unique_index is None:
            return
        for key, value in self._unique_entries(values):
            holders = self._unique_index.setdefault(key, {}).setdefault(value, set())
            if add:
                holders.add(pid)
            else:
                holders.discard(pid)

    def set_values(self, record: dict[str, Any], values: Any) -> None:
        """Replace a product's stored values (never edit them in place: they may be the catalogue's)."""
        self._index(record["id"], record.get("values"), add=False)
        record["values"] = values
        self._index(record["id"], values, add=True)

    def forget_unique_index(self) -> None:
        """Attributes changed (e.g. a new unique attribute): rebuild the index on next use."""
        self._unique_index = None

    def find_product(self, sku: str) -> dict[str, Any] | None:
        pid = self.sku_index.get(key_of(sku))
        return self.products.get(pid) if pid is not None else None

    def active_locales(self) -> list[str]:
        return [loc["code"] for loc in self.locales.values() if loc["status"]]

    def record_write(self) -> None:
        with self.lock:
            self._writes += 1

    # -- public helpers for tests and the launcher ---------------------------------------------
    def add_client(self, client_id: str, client_secret: str, username: str, password: str, *,
                   permission_type: str = "all", permissions: list[str] | None = None,
                   active: bool = True) -> None:  # fmt: skip
        self.auth.add_client(
            client_id, client_secret, username, password,
            permission_type=permission_type, permissions=permissions, active=active,
        )  # fmt: skip

    def expire_tokens(self) -> None:
        self.auth.expire_tokens()

    def revoke_refresh_tokens(self) -> None:
        self.auth.revoke_refresh_tokens()

    def write_count(self) -> int:
        with self.lock:
            return self._writes

    def load_catalogue(self, catalogue: Any) -> None:
        from unopim_desktop.sandbox.unopim.seed import load_catalogue

        with self.lock:
            load_catalogue(self, catalogue)

    def counts(self) -> dict[str, int]:
        with self.lock:
            simple = sum(1 for p in self.products.values() if p["type"] == "simple")
            return {
                "locales": len(self.locales),
                "currencies": len(self.currencies),
                "channels": len(self.channels),
                "attribute_groups": len(self.attribute_groups),
                "attributes": len(self.attributes),
                "attribute_options": sum(len(v) for v in self.attribute_options.values()),
                "families": len(self.families),
                "categories": len(self.categories),
                "products": simple,
                "configurable_products": len(self.products) - simple,
                "media_files": len(self.storage),
            }

    def displayed_values(self, sku: str) -> dict[str, Any] | None:
        """The values UnoPim's admin shows for a product: on 3.x a variant's are resolved from its parent
        chain (the API returns only what the variant stores); on 1.x they are what it stores."""
        from unopim_desktop.sandbox.unopim.product_store import resolved_values

        with self.lock:
            record = self.find_product(sku)
            if record is None:
                return None
            values = resolved_values(self, record) if self.version >= 3 else record["values"]
            return copy.deepcopy(values)

    def get_product(self, sku: str) -> dict[str, Any] | None:
        """A deep copy of a product (simple or configurable) in the API's single-GET shape."""
        from unopim_desktop.sandbox.unopim.product_store import render_product

        with self.lock:
            record = self.find_product(sku)
            if record is None:
                return None
            return copy.deepcopy(render_product(self, record, single=True))

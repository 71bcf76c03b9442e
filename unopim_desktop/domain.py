"""Plain data shared by every layer: what the app keeps about stores, channels, mappings and UnoPim
attributes, and the neutral store-side types. No I/O, no Qt.

Store-side types are neutral: the transforms produce them from UnoPim values, each adapter turns them
into its own payloads (WooCommerce JSON, BigCommerce JSON) and back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# --- what the app keeps (rows of the local database, as the services hand them out) ----------------


@dataclass(frozen=True)
class StoreRow:
    id: int
    label: str
    kind: str
    url: str
    key: str
    wp_user: str
    active: bool
    default_currency: str
    default_locale: str
    info: dict[str, Any]
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class LogFilter:
    """Which Logs rows to show (the Logs tab's filters, the CLI's `logs` options). Empty means any;
    `since`/`until` are naive UTC; `text` matches the message or the code/SKU, case-insensitively."""

    level: str = ""  # error | warning | info
    channel: str = ""
    direction: str = ""  # pull | push
    entity_kind: str = ""
    entity: str = ""  # one code or SKU exactly: the history of one entity
    run: int | None = None
    since: Any = None  # datetime.datetime | None
    until: Any = None
    text: str = ""

    @property
    def empty(self) -> bool:
        return self == LogFilter()


@dataclass
class ChannelRow:
    code: str
    labels: dict[str, str]
    root_category: str
    locales: list[str]
    currencies: list[str]
    store_label: str | None = None
    pull_enabled: bool = True
    push_enabled: bool = True
    sync_interval: str = "1h"
    debounce_s: int = 60
    default_locale: str = ""
    locale_map: dict[str, str] = field(default_factory=dict)
    currency_map: dict[str, str] = field(default_factory=dict)


# Core mapping rows every store kind holds (`mapping.fields.CORE_FIELDS` keys); a kind adds its own
# (`stores.kind.StoreKind.core_fields`).
SHARED_FIELDS = ("sku", "name", "regular_price", "sale_price", "stock_quantity", "description", "status", "weight",
                 "length", "width", "height", "image", "gallery")
# Core rows a neutral `StoreProduct` carries in its `extra` dict (fields of some store kinds only).
EXTRA_FIELDS = ("page_title", "meta_description", "meta_keywords", "search_keywords", "custom_url", "cost_price",
                "retail_price", "product_type", "availability", "is_featured", "free_shipping", "warranty",
                "condition", "gtin", "mpn", "upc", "brand")

# Which way a mapped field may flow: both (the default), pull only (UnoPim owns it), push only (the store owns it).
DIRECTIONS = ("both", "pull", "push")


@dataclass(frozen=True)
class AttributeRow:
    store_attribute: str
    attribute_code: str
    carrier: str
    variant_axis: bool
    direction: str = "both"


@dataclass(frozen=True)
class CategoryRow:
    store_category_id: int
    store_category_name: str
    category_code: str


@dataclass(frozen=True)
class AttributeDef:
    """What the mapping needs to know about a UnoPim attribute (from the attribute cache)."""

    code: str
    type: str
    value_per_locale: bool = False
    value_per_channel: bool = False
    validation: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    families: tuple[str, ...] = ()
    system: bool = False  # a product field UnoPim keeps outside `values` (status)

    def label(self, locale: str = "en_US") -> str:
        return self.labels.get(locale) or next(iter(self.labels.values()), "") or self.code

    @property
    def scope(self) -> str:
        if self.value_per_channel and self.value_per_locale:
            return "channel_locale"
        if self.value_per_channel:
            return "channel"
        if self.value_per_locale:
            return "locale"
        return "common"


@dataclass(frozen=True)
class StoreConnection:
    """What a store adapter needs to talk to one store. Secrets are hidden from repr."""

    kind: str  # a store kind's name (stores.registry.KINDS), e.g. "woocommerce"
    label: str
    url: str  # WooCommerce: site address; BigCommerce: API URL https://api.bigcommerce.com/stores/<hash>/
    key: str = ""  # WooCommerce consumer key; BigCommerce client ID
    secret: str = field(default="", repr=False)  # WooCommerce consumer secret; BigCommerce client secret
    access_token: str = field(default="", repr=False)  # BigCommerce only
    wp_user: str = ""  # WooCommerce: WordPress user for the media endpoint (optional)
    wp_app_password: str = field(default="", repr=False)  # WooCommerce: application password (optional)
    verify_tls: bool | str = True  # False or a CA bundle path for self-signed test servers


@dataclass
class StoreInfo:
    """What verification learned about a store."""

    name: str = ""
    url: str = ""
    currency: str = ""
    locale: str = ""
    version: str = ""
    product_count: int | None = None
    can_write: bool = True
    multilingual: bool = False  # WPML/WCML `lang` support
    media_upload: bool = False  # WordPress media endpoint usable (application password works)
    notes: list[str] = field(default_factory=list)


@dataclass
class StoreTranslation:
    """An object's texts in one more store language: a WPML translation (its own post or term, `store_id`) or
    a BigCommerce locale's values. Keyed by the store's language code where it is held (`translations`)."""

    name: str = ""
    description: str = ""
    short_description: str = ""
    store_id: int | None = None
    # False when a pull found nothing of it to write (its fields unchanged): the adapter leaves it alone.
    changed: bool = True
    date_modified_gmt: str = ""  # a translation edited alone moves only its own date


@dataclass
class StorePrice:
    """A product's or variation's price in one more currency (CURCY, WCML, a BigCommerce price list)."""

    regular_price: str = ""
    sale_price: str = ""


@dataclass
class StoreLanguages:
    """What a store can hold beyond one language and one currency, as its adapter found out (and the
    merchant's per-store settings allow)."""

    translations: str = ""  # how translations are written: "" (none), "wpml", "graphql" (BigCommerce)
    default_language: str = ""  # the store language its original objects are in
    languages: tuple[str, ...] = ()  # the store languages known to be active (empty: not known)
    prices: str = ""  # how other currencies are written: "" (none), "curcy", "wcml", "price_lists"
    currencies: tuple[str, ...] | None = None  # the currencies the price mechanism knows (None: not known)
    # Prices must be written on every language's object too (CURCY has no WPML config: nothing copies them).
    prices_per_language: bool = False
    notes: list[str] = field(default_factory=list)  # why a capability is missing (plan, plugin, setting)


@dataclass
class StoreImage:
    src: str = ""  # a URL the store fetches, or its own URL when read back
    store_id: int | None = None
    alt: str = ""
    position: int = 0


@dataclass
class StoreTerm:
    name: str
    slug: str = ""
    store_id: int | None = None
    translations: dict[str, StoreTranslation] = field(default_factory=dict)  # store language -> name


@dataclass
class StoreAttribute:
    """A global store attribute (WooCommerce) or an option name (BigCommerce) with its terms."""

    name: str
    slug: str = ""
    store_id: int | None = None
    terms: list[StoreTerm] = field(default_factory=list)


@dataclass
class StoreCategory:
    name: str
    slug: str = ""
    store_id: int | None = None
    parent_store_id: int | None = None
    description: str = ""
    image: StoreImage | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Slug (or name) of a parent written in the same upsert call, whose store id is not known yet.
    parent_key: str = ""
    translations: dict[str, StoreTranslation] = field(default_factory=dict)  # store language -> texts


@dataclass
class ProductAttributeValue:
    """An attribute as attached to one product: its options, and whether it is a variant axis."""

    name: str
    options: list[str]
    store_id: int | None = None  # global attribute id, or None for a local (custom) attribute
    visible: bool = True
    variation: bool = False


@dataclass
class StoreVariant:
    sku: str
    regular_price: str = ""
    sale_price: str = ""
    stock_quantity: int | None = None
    stock_status: str = ""  # instock | outofstock | onbackorder
    status: str = "publish"
    weight: str = ""
    length: str = ""
    width: str = ""
    height: str = ""
    axes: dict[str, str] = field(default_factory=dict)  # attribute name -> option name
    image: StoreImage | None = None
    store_id: int | None = None
    date_modified_gmt: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    prices: dict[str, StorePrice] = field(default_factory=dict)  # store currency -> price (beyond the base)
    # The store's own translated copies of this variation (WCML makes them), store language -> id.
    translation_ids: dict[str, int] = field(default_factory=dict)


@dataclass
class StoreProduct:
    sku: str
    name: str = ""
    type: str = "simple"  # simple | variable | grouped
    status: str = "publish"  # publish | draft | private | pending
    description: str = ""
    short_description: str = ""
    regular_price: str = ""
    sale_price: str = ""
    stock_quantity: int | None = None
    stock_status: str = ""
    weight: str = ""
    length: str = ""
    width: str = ""
    height: str = ""
    category_ids: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    attributes: list[ProductAttributeValue] = field(default_factory=list)
    images: list[StoreImage] = field(default_factory=list)  # first = featured
    upsell_ids: list[int] = field(default_factory=list)
    cross_sell_ids: list[int] = field(default_factory=list)
    grouped_ids: list[int] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)  # custom fields / meta_data
    variants: list[StoreVariant] = field(default_factory=list)
    store_id: int | None = None
    date_modified_gmt: str = ""
    lang: str = ""  # WPML language code where the store is multilingual
    translation_of: int | None = None
    # Set on a variation found by SKU (type "variation"): the store id of its parent product.
    parent_store_id: int | None = None
    # Fields of some store kinds only (`EXTRA_FIELDS`: BigCommerce's SEO, pricing, shipping, brand…), by core
    # key, as neutral values: text and price amounts as strings, yes/no as bool, keyword lists as lists. A
    # key left out is not written (the store keeps its value); reads fill every key the store has.
    extra: dict[str, Any] = field(default_factory=dict)
    translations: dict[str, StoreTranslation] = field(default_factory=dict)  # store language -> texts
    prices: dict[str, StorePrice] = field(default_factory=dict)  # store currency -> price (beyond the base)


@dataclass
class ItemResult:
    """One item of a batch write: the store id on success, or the store's error."""

    key: str  # SKU, slug or name the caller used to identify the item
    store_id: int | None = None
    error: str = ""
    error_code: str = ""
    status: int = 200
    # Saved, but with something the merchant should know (BigCommerce "hidden, no trash", 207 parts).
    note: str = ""
    # Store ids of the item's images in the order sent (first = featured), where the answer gives them.
    image_ids: list[int] = field(default_factory=list)
    # The store's own URLs of images it keeps without an id (a BigCommerce variant's `image_url`).
    image_urls: list[str] = field(default_factory=list)
    # Saved without its images because the store could not fetch or accept them (retry on a later run).
    image_error: str = ""
    # A product created with its variants in the same call (BigCommerce): one result per variant, by SKU.
    variants: list[ItemResult] = field(default_factory=list)
    # The item's translations as written (store language -> the translation's own id, 0 where the store
    # keeps no id of its own), and those the store refused (store language -> why).
    translation_ids: dict[str, int] = field(default_factory=dict)
    translation_errors: dict[str, str] = field(default_factory=dict)
    # Other currencies the store refused for this item (store currency -> why).
    price_errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass
class BatchResult:
    created: list[ItemResult] = field(default_factory=list)
    updated: list[ItemResult] = field(default_factory=list)
    deleted: list[ItemResult] = field(default_factory=list)

    @property
    def failed(self) -> list[ItemResult]:
        return [r for r in (*self.created, *self.updated, *self.deleted) if not r.ok]


def shorten(text: str, limit: int | None) -> str:
    """`text` cut to a store's length limit (None: no limit), without a trailing space."""
    return text if limit is None or len(text) <= limit else text[:limit].rstrip()

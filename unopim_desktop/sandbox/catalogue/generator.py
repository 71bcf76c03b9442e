"""A seeded, realistic UnoPim catalogue that every sandbox server can load (the catalogue contract).

`generate_catalogue(products, seed=...)` returns a `Catalogue` whose lists have the shapes UnoPim's API
returns (unopim-api.md §6 and §7): locales, currencies, channels, attribute groups, attributes and their
options, families, a three-level category tree under `root`, simple products with variants, configurable
products, and a tag vocabulary. The same arguments always give an identical catalogue: every draw comes
from one `random.Random(seed)` and nothing depends on the clock or on hash randomisation.

Media values are paths such as `product/12/image/alto-hoodie-hod-00012.png`; `image_bytes(path)` makes a
small PNG (or, for the `file` attribute, a one-page PDF) for any of them on demand, so 100k products do
not hold 100k images in memory. The number in a path is the product's id when a server assigns ids in
list order: `products` first (simple products, then variants), then `configurable_products`, counting
from 1 (see `product_ids`). UnoPim V3 only accepts a media path under `product/<the product's id>/`.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from random import Random
from typing import Any

from unopim_desktop.sandbox.catalogue import schema, vocab
from unopim_desktop.sandbox.catalogue.images import media_for
from unopim_desktop.sandbox.catalogue.products import ProductGenerator

MAX_LOCALES = len(vocab.LOCALE_CODES)
MAX_CURRENCIES = len(vocab.CURRENCIES)
MAX_CHANNELS = len(vocab.CHANNELS)


@dataclass
class Catalogue:
    locales: list[dict[str, Any]]
    currencies: list[dict[str, Any]]
    channels: list[dict[str, Any]]
    attribute_groups: list[dict[str, Any]]
    attributes: list[dict[str, Any]]
    attribute_options: dict[str, list[dict[str, Any]]]
    families: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    products: list[dict[str, Any]]
    configurable_products: list[dict[str, Any]]
    tags: list[str]
    seed: int
    media_paths: list[str] = field(default_factory=list, repr=False)
    _media_set: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)

    # -- media ------------------------------------------------------------------------------------------

    def image_bytes(self, path: str) -> bytes | None:
        """The bytes of a media path used in the values (None for any other path): a deterministic PNG,
        or a one-page PDF for the `.pdf` paths of the `file` attribute `size_chart`."""
        if self._media_set is None:
            self._media_set = frozenset(self.media_paths)
        if path not in self._media_set:
            return None
        return media_for(self.seed, path)

    def image_paths(self) -> list[str]:
        """Every media path used in values (image, gallery entries, and the `.pdf` file values), in
        generation order: what a server must hold in storage for the values to validate."""
        return list(self.media_paths)

    # -- lookups ----------------------------------------------------------------------------------------

    def active_locales(self) -> list[str]:
        return [loc["code"] for loc in self.locales if loc["status"] == 1]

    def active_currencies(self) -> list[str]:
        return [cur["code"] for cur in self.currencies if cur["status"] == 1]

    def product_ids(self) -> dict[str, int]:
        """SKU -> the id used in that product's media paths (list order, products then configurables)."""
        ids: dict[str, int] = {}
        for product in self.products:
            ids[product["sku"]] = len(ids) + 1
        for product in self.configurable_products:
            ids[product["sku"]] = len(ids) + 1
        return ids

    def counts(self) -> dict[str, int]:
        variants = sum(1 for p in self.products if p["parent"] is not None)
        return {
            "locales": len(self.locales),
            "active_locales": len(self.active_locales()),
            "currencies": len(self.currencies),
            "active_currencies": len(self.active_currencies()),
            "channels": len(self.channels),
            "attribute_groups": len(self.attribute_groups),
            "attributes": len(self.attributes),
            "attribute_options": sum(len(options) for options in self.attribute_options.values()),
            "families": len(self.families),
            "categories": len(self.categories),
            "products": len(self.products) - variants,
            "configurable_products": len(self.configurable_products),
            "variants": variants,
            "images": len(self.media_paths),
            "tags": len(self.tags),
        }


def _check_range(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")


def generate_catalogue(
    products: int = 50,
    *,
    seed: int = 1,
    configurable_share: float = 0.3,
    variants_per_product: int = 4,
    locales: int = 3,
    currencies: int = 3,
    channels: int = 2,
    images: bool = True,
) -> Catalogue:
    """Build a catalogue of `products` top-level products (simple + configurable; variants are extra).

    `round(products * configurable_share)` of them are configurable, except that the first product is
    always simple: it is the showcase that carries a value for every attribute of the `default` family,
    so even a one-product catalogue exercises every attribute type and bucket.
    """
    if products < 0:
        raise ValueError(f"products must not be negative, got {products}")
    if not 0.0 <= configurable_share <= 1.0:
        raise ValueError(f"configurable_share must be between 0 and 1, got {configurable_share}")
    _check_range("locales", locales, 1, MAX_LOCALES)
    _check_range("currencies", currencies, 1, MAX_CURRENCIES)
    _check_range("channels", channels, 1, MAX_CHANNELS)

    rng = Random(seed)
    locale_codes = list(vocab.LOCALE_CODES[:locales])
    currency_codes = [code for code, _label, _rate, _decimals in vocab.CURRENCIES[:currencies]]
    channel_objects = schema.channel_objects(channels, locale_codes, currency_codes)
    generator = ProductGenerator(
        rng, locales=locale_codes, channels=channel_objects, currencies=currency_codes, images=images
    )
    # Hundreds of thousands of small dicts and no reference cycles: the cyclic collector would only
    # rescan them over and over (it doubles the time at 100k products).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        generated = generator.generate(products, configurable_share, variants_per_product)
    finally:
        if gc_was_enabled:
            gc.enable()
    return Catalogue(
        locales=schema.locale_objects(locale_codes),
        currencies=schema.currency_objects(currency_codes),
        channels=channel_objects,
        attribute_groups=schema.attribute_group_objects(locale_codes),
        attributes=schema.attribute_objects(locale_codes),
        attribute_options=schema.attribute_option_objects(locale_codes),
        families=schema.family_objects(locale_codes),
        categories=schema.category_objects(locale_codes),
        products=generated.products,
        configurable_products=generated.configurable_products,
        tags=list(vocab.TAGS),
        seed=seed,
        media_paths=generated.media_paths,
    )

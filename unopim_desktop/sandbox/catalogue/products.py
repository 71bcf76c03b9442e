"""Products, configurable products and variants of a generated catalogue, in UnoPim's value model.

`ProductGenerator` decides which products exist (simple or configurable, their product line, brand,
SKU and price), fills their common values and makes the variants of each configurable product. The
per-locale and per-channel sections, categories and associations, and the shared string pools they
draw on, come from its base `ProductValues` (`product_values`). Media paths sit under
`product/<id>/<attribute>/`.

Product ids, used in media paths, are the positions a server gets when it loads `products` (simple
products, then variants) and then `configurable_products`, counting from 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from random import Random
from typing import Any

from unopim_desktop.sandbox.catalogue import vocab
from unopim_desktop.sandbox.catalogue.product_values import DATE_SPAN, ProductValues
from unopim_desktop.sandbox.catalogue.schema import FAMILY_ATTRIBUTES

SUPER_ATTRIBUTES = ["color", "size"]
COLOR_CODES = [code for code, _ in vocab.COLOR_OPTIONS]
SIZE_CODES = [code for code, _ in vocab.SIZE_OPTIONS]
BRAND_CODES = [code for code, _ in vocab.BRAND_OPTIONS]
MAX_VARIANTS = len(COLOR_CODES) * len(SIZE_CODES)

_FAMILY_SETS = {family: frozenset(codes) for family, codes in FAMILY_ATTRIBUTES.items()}

_MATERIALS_BY_DEPARTMENT = {
    "clothing": ("cotton", "wool", "polyester", "linen", "leather"),
    "home": ("cotton", "linen", "bamboo", "steel", "wool"),
    "sports": ("polyester", "recycled_plastic", "steel"),
    "electronics": ("recycled_plastic", "steel", "leather"),
}
# Whole-dollar price range and weight range (hundredths of a kg) by department.
_PRICE_DOLLARS = {"clothing": (15, 120), "home": (8, 90), "sports": (5, 80), "electronics": (15, 250)}
_WEIGHT_CENTS = {"clothing": (15, 150), "home": (20, 300), "sports": (10, 200), "electronics": (5, 120)}
_PRICE_ENDINGS = (1, 1, 1, 5, 50, 0)  # cents taken off the whole-dollar price: .99 .99 .99 .95 .50 .00


@dataclass
class GeneratedProducts:
    products: list[dict[str, Any]] = field(default_factory=list)  # simple products, then variants
    configurable_products: list[dict[str, Any]] = field(default_factory=list)
    media_paths: list[str] = field(default_factory=list)


class ProductGenerator(ProductValues):
    def __init__(self, rng: Random, *, locales: list[str], channels: list[dict[str, Any]],
                 currencies: list[str], images: bool) -> None:  # fmt: skip
        super().__init__(rng, locales=locales, channels=channels, currencies=currencies)
        self.images = images
        self._product_number = 0
        self._last_usd_cents = 0  # the latest top-level product's price, which its variants start from
        self.out = GeneratedProducts()

    # -- ids and media paths ----------------------------------------------------------------------------

    def _next_product_number(self) -> str:
        self._product_number += 1
        return f"PN{self._product_number:08d}"

    def _media(self, pid: int, attribute: str, filename: str) -> str:
        path = f"product/{pid}/{attribute}/{filename}"
        self.out.media_paths.append(path)
        return path

    # -- generation -------------------------------------------------------------------------------------

    def generate(
        self, products: int, configurable_share: float, variants_per_product: int
    ) -> GeneratedProducts:
        rng = self.rng
        n_conf = min(max(products - 1, 0), round(products * configurable_share))
        if n_conf and not 1 <= variants_per_product <= MAX_VARIANTS:
            raise ValueError(f"variants_per_product must be between 1 and {MAX_VARIANTS}")
        # Product 0 stays simple: it is the showcase with a value for every attribute.
        configurable = set(rng.sample(range(1, products), n_conf)) if n_conf else set()
        clothing = [i for i, noun in enumerate(vocab.NOUNS) if noun[2] == "clothing"]
        home = [i for i, noun in enumerate(vocab.NOUNS) if noun[2] == "home"]
        width = max(5, len(str(products)))
        plans: list[tuple[int, int, int, int]] = []
        skus: list[str] = []
        for t in range(products):
            if t == 0:
                noun = rng.choice(home)
            elif t in configurable:
                noun = rng.choice(clothing)
            else:
                noun = rng.randrange(len(vocab.NOUNS))
            plans.append(
                (noun, rng.randrange(len(vocab.SERIES)), rng.randrange(len(vocab.MODEL_SUFFIXES)),
                 rng.randrange(len(BRAND_CODES)))
            )  # fmt: skip
            skus.append(f"{vocab.NOUNS[noun][1]}-{t + 1:0{width}d}")

        n_simple = products - n_conf
        n_variants = n_conf * variants_per_product
        variants: list[dict[str, Any]] = []
        simple_index = conf_index = 0
        for t in range(products):
            if t in configurable:
                pid = n_simple + n_variants + conf_index + 1
                first_variant_id = n_simple + conf_index * variants_per_product + 1
                conf_index += 1
                parent = self._top_level(t, pid, plans[t], skus, configurable=True)
                self.out.configurable_products.append(parent)
                variants.extend(self._variants(parent, plans[t], first_variant_id, variants_per_product))
            else:
                simple_index += 1
                self.out.products.append(self._top_level(t, simple_index, plans[t], skus, configurable=False))
        self.out.products.extend(variants)
        return self.out

    def _top_level(self, t: int, pid: int, plan: tuple[int, int, int, int], skus: list[str], *,
                   configurable: bool) -> dict[str, Any]:  # fmt: skip
        rng = self.rng
        showcase = t == 0
        noun_i, series_i, suffix_i, brand_i = plan
        noun = vocab.NOUNS[noun_i]
        department = noun[2]
        family = "default" if showcase else vocab.DEPARTMENTS[department][2]
        has = _FAMILY_SETS[family]

        def want(p: float) -> bool:
            return showcase or rng.random() < p

        names, slug = self._names_for(noun_i, series_i, suffix_i)
        sku = skus[t]
        url_key = f"{slug}-{sku.lower()}"
        brand = BRAND_CODES[brand_i]
        lo, hi = _PRICE_DOLLARS[department]
        usd_cents = self._last_usd_cents = rng.randint(lo, hi) * 100 - rng.choice(_PRICE_ENDINGS)

        common: dict[str, Any] = {
            "sku": sku,
            "url_key": url_key,
            "product_number": self._next_product_number(),
        }
        common["brand"] = brand
        if not configurable:
            if "color" in has and want(0.6):
                common["color"] = rng.choice(COLOR_CODES)
            if "size" in has and (showcase or (department == "clothing" and rng.random() < 0.7)):
                common["size"] = rng.choice(SIZE_CODES)
        wlo, whi = _WEIGHT_CENTS[department]
        common["weight"] = self._hundredths(rng.randint(wlo, whi))
        if "length" in has and want(0.7):
            for dimension in ("length", "width", "height"):
                common[dimension] = self._hundredths(rng.randint(50, 600) * 10)  # cm
        if self.images:
            common["image"] = self._media(pid, "image", f"{url_key}.png")
            if "gallery" in has and want(0.2):
                common["gallery"] = ",".join(
                    self._media(pid, "gallery", f"{url_key}-{k}.png") for k in range(1, rng.randint(2, 3) + 1)
                )
            if "size_chart" in has and (showcase or (department == "clothing" and rng.random() < 0.3)):
                common["size_chart"] = self._media(pid, "size_chart", f"{url_key}-size-chart.pdf")
        if "material" in has and want(0.6):
            common["material"] = rng.choice(_MATERIALS_BY_DEPARTMENT[department])
        if "manufacturer_code" in has and want(0.5):
            common["manufacturer_code"] = f"{brand[:3].upper()}-{rng.randint(1000, 9999)}"
        common["quantity"] = self._numbers[rng.randint(0, 250)]
        if "certifications" in has and want(0.25):
            picked = rng.sample(range(len(vocab.CERTIFICATION_OPTIONS)), rng.randint(1, 2))
            common["certifications"] = ",".join(vocab.CERTIFICATION_OPTIONS[i][0] for i in sorted(picked))
        tag_count = 3 if showcase else rng.randint(0, 3)
        if tag_count:
            common["tags"] = ",".join(rng.sample(vocab.TAGS, tag_count))
        if "seasons" in has and want(0.4):
            picked = rng.sample(range(len(vocab.SEASON_OPTIONS)), rng.randint(1, 3))
            common["seasons"] = ",".join(vocab.SEASON_OPTIONS[i][0] for i in sorted(picked))
        if "release_date" in has and want(0.5):
            common["release_date"] = self._date(rng.randrange(DATE_SPAN))
        if "support_email" in has and want(0.3):
            common["support_email"] = f"support@{brand.replace('_', '-')}.example.com"
        if "gift_wrap" in has and want(0.3):
            common["gift_wrap"] = "true" if rng.random() < 0.5 else "false"
        if "msrp" in has and want(0.3):
            common["msrp"] = self.prices.retail(usd_cents + rng.randint(1, 4) * 500, self.currencies)

        values: dict[str, Any] = {"common": common}
        locale_specific = self._locale_values(has, want)
        if locale_specific:
            values["locale_specific"] = locale_specific
        channel_specific = self._channel_values(has, want, usd_cents, url_key)
        if channel_specific:
            values["channel_specific"] = channel_specific
        values["channel_locale_specific"] = self._channel_locale_values(names, brand, noun, usd_cents, want)
        values["categories"] = self._categories(department, noun, want)
        associations = self._associations(t, skus, want)
        if associations:
            values["associations"] = associations

        product: dict[str, Any] = {
            "sku": sku,
            "status": showcase or rng.random() >= 0.08,
            "parent": None,
            "family": family,
            "type": "configurable" if configurable else "simple",
            "additional": None,
            "values": values,
        }
        if configurable:
            product["super_attributes"] = list(SUPER_ATTRIBUTES)
            product["variants"] = []  # filled by _variants
        return product

    def _variants(self, parent: dict[str, Any], plan: tuple[int, int, int, int], first_id: int,
                  count: int) -> list[dict[str, Any]]:  # fmt: skip
        rng = self.rng
        n_sizes = min(len(SIZE_CODES), math.ceil(math.sqrt(count)))
        n_colors = math.ceil(count / n_sizes)
        colors = rng.sample(COLOR_CODES, n_colors)
        start = rng.randint(0, len(SIZE_CODES) - n_sizes)
        sizes = SIZE_CODES[start : start + n_sizes]
        axes = [(color, size) for color in colors for size in sizes][:count]

        parent_sku = parent["sku"]
        parent_values = parent["values"]
        parent_url = parent_values["common"]["url_key"]
        parent_cents = self._last_usd_cents
        names, _slug = self._names_for(plan[0], plan[1], plan[2])
        lo, hi = _WEIGHT_CENTS["clothing"]
        variants = []
        for offset, (color, size) in enumerate(axes):
            sku = f"{parent_sku}-{color.upper()}-{size.upper()}"
            url_key = f"{parent_url}-{color}-{size}"
            common: dict[str, Any] = {
                "sku": sku,
                "url_key": url_key,
                "product_number": self._next_product_number(),
                "color": color,
                "size": size,
                "weight": self._hundredths(rng.randint(lo, hi)),
                "quantity": self._numbers[rng.randint(0, 120)],
            }
            if self.images:
                common["image"] = self._media(first_id + offset, "image", f"{url_key}.png")
            color_labels = self._color_labels[color]
            size_label = size.upper()
            variant_names = tuple(
                f"{names[i]} - {color_labels[i]} / {size_label}" for i in range(len(self.locales))
            )
            cents = parent_cents + (300 if size in ("xl", "xxl") else 0)
            by_channel = {
                channel.code: {
                    locale: {"name": variant_names[i], "price": self.prices.retail(cents, channel.currencies)}
                    for i, locale in zip(channel.locale_positions, channel.locales, strict=True)
                }
                for channel in self.channels
            }
            variants.append(
                {
                    "sku": sku,
                    "status": rng.random() >= 0.05,
                    "parent": parent_sku,
                    "family": parent["family"],
                    "type": "simple",
                    "additional": None,
                    "values": {
                        "common": common,
                        "channel_locale_specific": by_channel,
                        "categories": list(parent_values["categories"]),
                    },
                }
            )
            parent["variants"].append({"sku": sku, "attributes": {"color": color, "size": size}})
        return variants

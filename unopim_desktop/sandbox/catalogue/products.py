"""Products, configurable products and variants of a generated catalogue, in UnoPim's value model.

Values follow unopim-api.md §6: each attribute sits in the bucket its flags require, locale-scoped values
have one entry per active locale of the channel, prices carry every currency of the channel (or of the
catalogue, for the common `msrp`), and every value passes UnoPim's rules (Slug SKUs, Decimal numbers,
"true"/"false" booleans, comma-joined option codes, Y-m-d dates, Y-m-d H:i:s datetimes, media paths
under `product/<id>/<attribute>/`).

Scale matters (100k products and their variants): equal strings are built once and shared (names per
product line, prices, weights, pooled sentences), and every random draw comes from the one seeded RNG.

Product ids, used in media paths, are the positions a server gets when it loads `products` (simple
products, then variants) and then `configurable_products`, counting from 1.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from random import Random
from typing import Any

from unopim_desktop.sandbox.catalogue import vocab
from unopim_desktop.sandbox.catalogue.schema import FAMILY_ATTRIBUTES, category_code

SUPER_ATTRIBUTES = ["color", "size"]
COLOR_CODES = [code for code, _ in vocab.COLOR_OPTIONS]
SIZE_CODES = [code for code, _ in vocab.SIZE_OPTIONS]
BRAND_CODES = [code for code, _ in vocab.BRAND_OPTIONS]
MAX_VARIANTS = len(COLOR_CODES) * len(SIZE_CODES)

# "Should this optional value be present?" given its probability; always yes for the showcase product.
Want = Callable[[float], bool]

_FAMILY_SETS = {family: frozenset(codes) for family, codes in FAMILY_ATTRIBUTES.items()}
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
_DATE_BASE = date(2019, 1, 1).toordinal()
_DATE_SPAN = 7 * 365

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

_CURRENCY_RATES = {code: (rate, decimals) for code, _label, rate, decimals in vocab.CURRENCIES}


def _html(text: str) -> str:
    """Text as HTML the way UnoPim's purifier stores it (`&` as `&amp;`, quotes left alone), so a value
    read and written back unchanged stays unchanged."""
    return html.escape(text, quote=False)


def slugify(text: str) -> str:
    return _SLUG_JUNK.sub("-", text.lower()).strip("-")


class PriceBook:
    """Price strings per currency, built once per (amount, currency) and shared between products."""

    def __init__(self) -> None:
        self._retail: dict[tuple[int, str], str] = {}
        self._exact: dict[tuple[int, str], str] = {}

    def retail(self, usd_cents: int, currencies: list[str]) -> dict[str, str]:
        """Shelf prices: USD as drawn, other currencies converted and rounded to a .99 (or tens of yen)."""
        out = {}
        for code in currencies:
            key = (usd_cents, code)
            text = self._retail.get(key)
            if text is None:
                text = self._retail[key] = self._format_retail(usd_cents, code)
            out[code] = text
        return out

    def exact(self, usd_cents: int, currencies: list[str]) -> dict[str, str]:
        """Converted amounts without marketing rounding (costs)."""
        out = {}
        for code in currencies:
            key = (usd_cents, code)
            text = self._exact.get(key)
            if text is None:
                rate, decimals = _CURRENCY_RATES[code]
                amount = usd_cents * rate / 100
                text = self._exact[key] = str(round(amount)) if decimals == 0 else f"{amount:.2f}"
            out[code] = text
        return out

    @staticmethod
    def _format_retail(usd_cents: int, code: str) -> str:
        if code == "USD":
            return f"{usd_cents // 100}.{usd_cents % 100:02d}"
        rate, decimals = _CURRENCY_RATES[code]
        amount = usd_cents * rate / 100
        if decimals == 0:
            return str(max(10, round(amount / 10) * 10))
        whole = round(amount)
        return f"{whole - 1}.99" if whole >= 2 else f"{amount:.2f}"


@dataclass
class ChannelPlan:
    code: str
    locale_positions: list[int]  # positions in the active locale list (= vocab column)
    locales: list[str]
    currencies: list[str]


@dataclass
class GeneratedProducts:
    products: list[dict[str, Any]] = field(default_factory=list)  # simple products, then variants
    configurable_products: list[dict[str, Any]] = field(default_factory=list)
    media_paths: list[str] = field(default_factory=list)


class ProductGenerator:
    def __init__(self, rng: Random, *, locales: list[str], channels: list[dict[str, Any]],
                 currencies: list[str], images: bool) -> None:  # fmt: skip
        self.rng = rng
        self.locales = locales
        self.currencies = currencies
        self.images = images
        self.channels = [
            ChannelPlan(
                ch["code"], [locales.index(code) for code in ch["locales"]], ch["locales"], ch["currencies"]
            )
            for ch in channels
        ]
        n = len(locales)
        self.prices = PriceBook()
        self._names: dict[tuple[int, int, int], tuple[tuple[str, ...], str]] = {}
        self._short = [tuple(f"<p>{_html(s[i])}</p>" for i in range(n)) for s in vocab.SENTENCES]
        self._plain = [tuple(s[:n]) for s in vocab.SENTENCES]
        self._features = {
            (a, b): tuple(
                f"<ul><li>{_html(vocab.FEATURES[a][i])}</li><li>{_html(vocab.FEATURES[b][i])}</li></ul>"
                for i in range(n)
            )
            for a in range(len(vocab.FEATURES))
            for b in range(len(vocab.FEATURES))
            if a != b
        }
        self._color_labels = {code: names[:n] for code, names in vocab.COLOR_OPTIONS}
        self._brand_labels = {code: names[0] for code, names in vocab.BRAND_OPTIONS}
        self._decimals: dict[int, str] = {}
        self._dates: dict[int, str] = {}
        self._numbers = [str(i) for i in range(501)]
        self._product_number = 0
        self._last_usd_cents = 0  # the latest top-level product's price, which its variants start from
        self.out = GeneratedProducts()

    # -- small shared strings ---------------------------------------------------------------------------

    def _hundredths(self, n: int) -> str:
        text = self._decimals.get(n)
        if text is None:
            text = self._decimals[n] = f"{n // 100}.{n % 100:02d}"
        return text

    def _date(self, offset: int) -> str:
        text = self._dates.get(offset)
        if text is None:
            text = self._dates[offset] = date.fromordinal(_DATE_BASE + offset).isoformat()
        return text

    def _datetime(self) -> str:
        rng = self.rng
        return f"{self._date(rng.randrange(_DATE_SPAN))} {rng.randint(6, 21):02d}:{rng.choice((0, 15, 30, 45)):02d}:00"

    def _names_for(self, noun: int, series: int, suffix: int) -> tuple[tuple[str, ...], str]:
        """Per-locale product names for a product line, plus the English slug."""
        key = (noun, series, suffix)
        cached = self._names.get(key)
        if cached is None:
            words = vocab.NOUNS[noun][5]
            line = vocab.SERIES[series]
            tail = vocab.MODEL_SUFFIXES[suffix]
            names = tuple(
                f"{line} {words[i]}{tail}" if vocab.SERIES_FIRST[i] else f"{words[i]} {line}{tail}"
                for i in range(len(self.locales))
            )
            cached = self._names[key] = (names, slugify(names[0]))
        return cached

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
            common["release_date"] = self._date(rng.randrange(_DATE_SPAN))
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

    def _locale_values(self, has: frozenset[str], want: Want) -> dict[str, dict[str, str]]:
        rng = self.rng
        subtitle = rng.randrange(len(vocab.SUBTITLES)) if "subtitle" in has and want(0.3) else None
        care = (
            rng.randrange(len(vocab.CARE_INSTRUCTIONS)) if "care_instructions" in has and want(0.5) else None
        )
        if subtitle is None and care is None:
            return {}
        out = {}
        for i, locale in enumerate(self.locales):
            entry = {}
            if subtitle is not None:
                entry["subtitle"] = vocab.SUBTITLES[subtitle][i]
            if care is not None:
                entry["care_instructions"] = vocab.CARE_INSTRUCTIONS[care][i]
            out[locale] = entry
        return out

    def _channel_values(self, has: frozenset[str], want: Want, usd_cents: int,
                        url_key: str) -> dict[str, dict[str, Any]]:  # fmt: skip
        rng = self.rng
        cost_cents = usd_cents * rng.randint(40, 60) // 100 if want(0.6) else None
        tax = rng.choice(vocab.TAX_CATEGORY_OPTIONS)[0] if want(0.7) else None
        featured = want(0.4)
        sale = "sale_starts_at" in has and want(0.2)
        url = "product_url" in has and want(0.3)
        out: dict[str, dict[str, Any]] = {}
        for channel in self.channels:
            entry: dict[str, Any] = {}
            if cost_cents is not None:
                entry["cost"] = self.prices.exact(cost_cents, channel.currencies)
            if tax is not None:
                entry["tax_category_id"] = tax
            if featured:
                entry["featured"] = "true" if rng.random() < 0.3 else "false"
            if sale:
                entry["sale_starts_at"] = self._datetime()
            if url:
                entry["product_url"] = f"https://shop.example.com/{channel.code}/{url_key}"
            if entry:
                out[channel.code] = entry
        return out

    def _channel_locale_values(self, names: tuple[str, ...], brand: str, noun: tuple[Any, ...],
                               usd_cents: int, want: Want) -> dict[str, dict[str, dict[str, Any]]]:  # fmt: skip
        rng = self.rng
        sentence = rng.randrange(len(vocab.SENTENCES))
        short = self._short[rng.randrange(len(vocab.SENTENCES))]
        features = self._features[tuple(rng.sample(range(len(vocab.FEATURES)), 2))]  # type: ignore[index]
        with_meta = want(0.5)
        brand_label = self._brand_labels[brand]
        descriptions = tuple(
            f"<p><strong>{_html(names[i])}</strong> – {_html(vocab.SENTENCES[sentence][i])}</p>{features[i]}"
            for i in range(len(self.locales))
        )
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for channel in self.channels:
            per_locale: dict[str, dict[str, Any]] = {}
            for i, locale in zip(channel.locale_positions, channel.locales, strict=True):
                entry: dict[str, Any] = {
                    "name": names[i],
                    "short_description": short[i],
                    "description": descriptions[i],
                    "price": self.prices.retail(usd_cents, channel.currencies),
                }
                if with_meta:
                    entry["meta_title"] = f"{names[i]} | {brand_label}"
                    entry["meta_keywords"] = f"{noun[5][i].lower()}, {brand_label.lower()}"
                    entry["meta_description"] = self._plain[sentence][i]
                per_locale[locale] = entry
            out[channel.code] = per_locale
        return out

    def _categories(self, department: str, noun: tuple[Any, ...], want: Want) -> list[str]:
        rng = self.rng
        subs, leaves, _family = vocab.DEPARTMENTS[department]
        sub = noun[3] if noun[3] >= 0 else rng.randrange(3)
        leaf = noun[4] if noun[4] >= 0 else rng.randrange(3)
        codes = [category_code(department, subs[sub], leaves[leaf])]
        if want(0.25):
            # Also listed under a sibling branch, e.g. a unisex top under both Men and Women.
            other = (sub + 1 + rng.randrange(2)) % 3
            codes.append(category_code(department, subs[other], leaves[leaf]))
        return codes

    def _associations(self, t: int, skus: list[str], want: Want) -> dict[str, list[str]]:
        rng = self.rng
        others = len(skus) - 1
        if others < 1 or not want(0.35):
            return {}
        showcase = t == 0
        out = {}
        for section, most in (("up_sells", 2), ("cross_sells", 2), ("related_products", 3)):
            count = min(others, max(1, most) if showcase else rng.randint(0, most))
            picked: list[str] = []
            while len(picked) < count:
                other = rng.randrange(others)
                sku = skus[other + 1 if other >= t else other]
                if sku not in picked:
                    picked.append(sku)
            if picked:
                out[section] = picked
        return out

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

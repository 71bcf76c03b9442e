"""A generated product's value sections, in UnoPim's value model, and the shared strings they come from.

Values follow unopim-api.md §6: each attribute sits in the bucket its flags require, locale-scoped values
have one entry per active locale of the channel, prices carry every currency of the channel (or of the
catalogue, for the common `msrp`), and every value passes UnoPim's rules (Slug SKUs, Decimal numbers,
"true"/"false" booleans, comma-joined option codes, Y-m-d dates, Y-m-d H:i:s datetimes).

Scale matters (100k products and their variants): equal strings are built once and shared (names per
product line, prices, weights, pooled sentences), and every random draw comes from the one seeded RNG.
`ProductValues` holds those pools and builds the per-locale, per-channel and per-channel-and-locale
sections, the categories and the associations; `products.ProductGenerator` builds on it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from random import Random
from typing import Any

from unopim_desktop.sandbox.catalogue import vocab
from unopim_desktop.sandbox.catalogue.schema import category_code

# "Should this optional value be present?" given its probability; always yes for the showcase product.
Want = Callable[[float], bool]

_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
_DATE_BASE = date(2019, 1, 1).toordinal()
DATE_SPAN = 7 * 365  # days from 2019-01-01 that generated dates fall in

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


class ProductValues:
    """Shared string pools and the value sections of a product; every draw comes from `rng`."""

    def __init__(self, rng: Random, *, locales: list[str], channels: list[dict[str, Any]],
                 currencies: list[str]) -> None:  # fmt: skip
        self.rng = rng
        self.locales = locales
        self.currencies = currencies
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
        return f"{self._date(rng.randrange(DATE_SPAN))} {rng.randint(6, 21):02d}:{rng.choice((0, 15, 30, 45)):02d}:00"

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

    # -- value sections ---------------------------------------------------------------------------------

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

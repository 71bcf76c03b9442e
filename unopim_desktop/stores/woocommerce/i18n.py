"""What a WooCommerce store holds beyond one language and one currency (i18n.md parts A and B): WPML +
WooCommerce Multilingual translations, and per-currency prices through CURCY or WCML's multi-currency.

Detection: `system_status` lists the active plugins; WCML's REST support adds `lang` and `translations` to
what the store returns (the default language's "Uncategorized" category says which language is the
default); each language the channel maps is checked with a term listing in it (WCML throws on an inactive
one, which the terms controller answers with a 500: asked once, without retries, before any write).

Prices beyond the store currency are product (or variation) meta: CURCY's `_regular_price_wmcp` /
`_sale_price_wmcp` (JSON strings of the whole currency map), WCML's `_wcml_custom_prices_status` with
`_regular_price_{CUR}`, `_sale_price_{CUR}` and `_price_{CUR}` (the effective price). Always the whole map.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from unopim_desktop.clients.errors import ApiError, Forbidden, ServerError
from unopim_desktop.clients.http import NO_RETRY
from unopim_desktop.domain import StoreLanguages, StorePrice, StoreProduct, StoreVariant

API = "wc/v3"
WPML_PLUGIN = "sitepress-multilingual-cms/sitepress.php"
WCML_PLUGIN = "woocommerce-multilingual/wpml-woocommerce.php"
CURCY_PLUGINS = ("woo-multi-currency/woo-multi-currency.php", "woocommerce-multi-currency/woocommerce-multi-currency.php")
CURCY_REGULAR, CURCY_SALE = "_regular_price_wmcp", "_sale_price_wmcp"
WCML_STATUS = "_wcml_custom_prices_status"
WCML_KEY = re.compile(r"^_(regular_price|sale_price|price)_([A-Z]{3})$")
PLUGIN_NAMES = {"curcy": "CURCY", "wcml": "WCML multi-currency"}


def _currencies(text: str) -> tuple[str, ...] | None:
    codes = tuple(c.strip().upper() for c in str(text or "").split(",") if c.strip())
    return codes or None


async def detect(api: Any, settings: Mapping[str, str], languages: list[str]) -> StoreLanguages:
    """The store's translation and multi-currency support, as its answers show it and the merchant's
    per-store settings allow; each wanted language checked."""
    caps = StoreLanguages()
    status = await api.get_json(f"{API}/system_status", {"_fields": "active_plugins"})
    plugins = {str(p.get("plugin") or "") for p in (status or {}).get("active_plugins") or [] if isinstance(p, dict)}
    if settings.get("translations", "auto") == "off":
        caps.notes.append("Translations are switched off in this store's settings (Channels & Stores → store).")
    else:
        await _detect_wpml(api, caps, plugins, languages)
    choice = settings.get("multi_currency", "auto")
    if choice == "auto":
        choice = "curcy" if plugins & set(CURCY_PLUGINS) else ("wcml" if WCML_PLUGIN in plugins else "none")
        if choice == "wcml":
            caps.notes.append("WCML is active: its multi-currency custom prices are used (set \"Multi-currency "
                              "plugin\" to none in the store's settings if its multi-currency is off).")
    elif choice == "curcy" and not plugins & set(CURCY_PLUGINS):
        caps.notes.append("CURCY is chosen in this store's settings but the store does not list it as active; its "
                          "prices are written anyway.")
    elif choice == "wcml" and WCML_PLUGIN not in plugins:
        caps.notes.append("WCML multi-currency is chosen in this store's settings but the store does not list "
                          "WCML as active; its prices are written anyway.")
    if choice in PLUGIN_NAMES:
        caps.prices = choice
        caps.currencies = _currencies(settings.get("plugin_currencies", ""))
        if caps.currencies is None:
            caps.notes.append(f"The currencies {PLUGIN_NAMES[choice]} is set up with are not readable over the REST "
                              "API: list them in the store's settings so that a currency it does not know is "
                              "skipped instead of written.")
    # CURCY ships no WPML configuration: nothing copies its meta into the translations.
    caps.prices_per_language = caps.prices == "curcy" and caps.translations == "wpml"
    return caps


async def _detect_wpml(api: Any, caps: StoreLanguages, plugins: set[str], languages: list[str]) -> None:
    sample = await api.get_json(f"{API}/products/categories", {"per_page": 1, "orderby": "id", "order": "asc"})
    first = sample[0] if isinstance(sample, list) and sample and isinstance(sample[0], dict) else {}
    if "lang" not in first or "translations" not in first:
        if WPML_PLUGIN in plugins:
            caps.notes.append("WPML is active, but the store's answers carry no languages: WooCommerce "
                              "Multilingual 4.11 or later (with pretty permalinks) is needed for translations over "
                              "the REST API.")
        return
    caps.translations = "wpml"
    caps.default_language = str(first.get("lang") or "")
    active = []
    for lang in dict.fromkeys(languages):
        if lang == caps.default_language:
            continue
        try:
            await api.get_json(f"{API}/products/categories", {"per_page": 1, "lang": lang, "_fields": "id"},
                               retry=NO_RETRY)
        except (ServerError, Forbidden) as exc:
            caps.notes.append(f"WPML refused the language {lang} ({exc.message or 'HTTP ' + str(exc.status)}): it is "
                              "probably not an active language of the store.")
            continue
        except ApiError:
            raise
        active.append(lang)
    # Only the languages asked about are known (a store check before any mapping asks about none).
    caps.languages = (caps.default_language, *active) if languages else ()


# -- prices as meta ----------------------------------------------------------------------------------
def effective(price: StorePrice) -> str:
    """What WCML keeps as `_price_{CUR}`: the sale price when it is below the regular one, else the regular."""
    try:
        if price.sale_price and (not price.regular_price or Decimal(price.sale_price) < Decimal(price.regular_price)):
            return price.sale_price
    except InvalidOperation:
        pass
    return price.regular_price


def prices_meta(prices: Mapping[str, StorePrice], plugin: str, currencies: tuple[str, ...]) -> list[dict[str, Any]]:
    """The meta entries carrying every currency in `currencies` (whole maps: a partial CURCY map would
    drop the currencies it leaves out)."""
    chosen = {c: prices[c] for c in currencies if c in prices}
    if plugin == "curcy":
        regular = {c: p.regular_price for c, p in chosen.items() if p.regular_price}
        sale = {c: p.sale_price for c, p in chosen.items() if p.sale_price}
        return [{"key": CURCY_REGULAR, "value": json.dumps(regular) if regular else ""},
                {"key": CURCY_SALE, "value": json.dumps(sale) if sale else ""}]
    if plugin == "wcml":
        out: list[dict[str, Any]] = [{"key": WCML_STATUS, "value": "1" if chosen else "0"}]
        for currency in currencies:
            p = chosen.get(currency, StorePrice())
            out += [{"key": f"_regular_price_{currency}", "value": p.regular_price},
                    {"key": f"_sale_price_{currency}", "value": p.sale_price},
                    {"key": f"_price_{currency}", "value": effective(p)}]
        return out
    return []


def is_price_key(key: str) -> bool:
    return key in (CURCY_REGULAR, CURCY_SALE, WCML_STATUS) or bool(WCML_KEY.match(key))


def take_prices(obj: StoreProduct | StoreVariant, plugin: str, currencies: tuple[str, ...]) -> None:
    """Move the plugin's price meta out of `obj.meta` into `obj.prices` (for `currencies` only)."""
    meta = obj.meta
    if plugin == "curcy":
        regular, sale = _json_map(meta.pop(CURCY_REGULAR, "")), _json_map(meta.pop(CURCY_SALE, ""))
        for currency in currencies:
            if regular.get(currency) or sale.get(currency):
                obj.prices[currency] = StorePrice(_amount(regular.get(currency)), _amount(sale.get(currency)))
    elif plugin == "wcml":
        on = str(meta.pop(WCML_STATUS, "")) == "1"
        found: dict[str, dict[str, str]] = {}
        for key in [k for k in meta if WCML_KEY.match(k)]:
            match = WCML_KEY.match(key)
            assert match is not None
            found.setdefault(match.group(2), {})[match.group(1)] = _amount(meta.pop(key))
        for currency in currencies if on else ():
            values = found.get(currency) or {}
            if values.get("regular_price") or values.get("sale_price"):
                obj.prices[currency] = StorePrice(values.get("regular_price", ""), values.get("sale_price", ""))


def _json_map(value: Any) -> dict[str, Any]:
    """CURCY's maps are JSON strings; some of its paths also read arrays."""
    if isinstance(value, Mapping):
        return dict(value)
    try:
        loaded = json.loads(value) if isinstance(value, str) and value.strip() else {}
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _amount(value: Any) -> str:
    if value in (None, "") or (isinstance(value, (int, float)) and value <= 0):
        return ""
    text = str(value).strip()
    return "" if text in ("0", "-1") else text

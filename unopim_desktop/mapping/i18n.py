"""Which of a channel's locales and currencies reach its store, and how (#18). Pure rules.

The channel's default locale goes to the store's original objects, in its default language; each other
locale the merchant mapped to a store language (Channels & Stores → Locales → store) goes where the store
keeps translations (WPML translations on WooCommerce, the Translations API on BigCommerce). The UnoPim
currency mapped onto the store's own currency (or the store currency itself) is the base price; each other
currency mapped to a store currency goes to the store's per-currency prices (CURCY or WCML meta, BigCommerce
price lists). What cannot reach the store is named with the reason, for the Channels tab and the run's Logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from unopim_desktop.domain import ChannelRow, StoreLanguages

HOW_LOCALES = {
    "wpml": "WPML translations (WooCommerce Multilingual)",
    "graphql": "BigCommerce's Translations API (GraphQL)",
    "": "one locale per channel",
}
HOW_PRICES = {
    "curcy": "CURCY fixed prices (_regular_price_wmcp)",
    "wcml": "WCML custom prices (_regular_price_{CUR})",
    "price_lists": "BigCommerce price lists",
    "": "one currency per store",
}


@dataclass
class ChannelReach:
    """A channel's locales and currencies as they reach one store."""

    default_locale: str
    default_language: str  # the store language of the original objects ("" when not known)
    translations: dict[str, str] = field(default_factory=dict)  # UnoPim locale -> store language
    base_currency: str = ""  # the UnoPim currency whose amounts are the store's own prices
    store_currency: str = ""
    currencies: dict[str, str] = field(default_factory=dict)  # UnoPim currency -> store currency (others)
    left_out: dict[str, str] = field(default_factory=dict)  # locale or currency -> why it does not reach it
    warnings: set[str] = field(default_factory=set)  # the left-out codes that need the merchant's attention
    how_locales: str = HOW_LOCALES[""]
    how_currencies: str = HOW_PRICES[""]
    notes: list[str] = field(default_factory=list)

    @property
    def languages(self) -> dict[str, str]:
        """Store language -> UnoPim locale, for the transforms."""
        return {lang: locale for locale, lang in self.translations.items()}

    @property
    def store_currencies(self) -> dict[str, str]:
        """Store currency -> UnoPim currency (beyond the base), for the transforms."""
        return {store: unopim for unopim, store in self.currencies.items()}

    def lines(self) -> list[str]:
        """What the Channels tab and a run's first Logs rows say, one sentence each."""
        out = [f"{self.default_locale} → the store's {self.default_language or 'default'} language (original "
               "products)"]
        out += [f"{loc} → {lang} ({self.how_locales})" for loc, lang in self.translations.items()]
        if self.base_currency:
            out.append(f"{self.base_currency} → {self.store_currency or self.base_currency} (the store's prices)")
        out += [f"{cur} → {store} ({self.how_currencies})" for cur, store in self.currencies.items()]
        out += [f"{code} not sent: {why}" for code, why in self.left_out.items()]
        return out + self.notes


def base_currency(channel: ChannelRow, store_currency: str) -> str:
    """The UnoPim currency whose amounts the store shows: the one mapped onto the store's default currency,
    else the store default itself when the channel has it, else the channel's first."""
    for unopim, store in channel.currency_map.items():
        if store_currency and store == store_currency:
            return unopim
    if store_currency in channel.currencies:
        return store_currency
    return (channel.currencies or ["USD"])[0]


def channel_reach(channel: ChannelRow, caps: StoreLanguages, store_currency: str) -> ChannelReach:
    default = channel.default_locale or (channel.locales or ["en_US"])[0]
    reach = ChannelReach(default_locale=default, default_language=caps.default_language,
                         how_locales=HOW_LOCALES.get(caps.translations, caps.translations),
                         how_currencies=HOW_PRICES.get(caps.prices, caps.prices), notes=list(caps.notes))
    used: dict[str, str] = {}
    for locale in channel.locales:
        if locale == default:
            continue
        lang = (channel.locale_map.get(locale) or "").strip()
        if not lang:
            reach.left_out[locale] = "not mapped to a store language (Channels & Stores → Locales)"
        elif not caps.translations:
            reach.left_out[locale] = ("the store keeps one language (no translation plugin or API): one locale "
                                      "per channel")
            reach.warnings.add(locale)
        elif caps.default_language and lang == caps.default_language:
            reach.left_out[locale] = (f"{lang} is the store's default language, which the channel's default "
                                      f"locale {default} fills")
            reach.warnings.add(locale)
        elif caps.languages and lang not in caps.languages:
            reach.left_out[locale] = f"{lang} is not an active language of the store ({', '.join(caps.languages)})"
            reach.warnings.add(locale)
        elif lang in used:
            reach.left_out[locale] = f"{lang} already takes {used[lang]}"
            reach.warnings.add(locale)
        else:
            used[lang] = locale
            reach.translations[locale] = lang
    reach.base_currency = base_currency(channel, store_currency)
    reach.store_currency = store_currency or reach.base_currency
    for currency in channel.currencies:
        if currency == reach.base_currency:
            continue
        target = (channel.currency_map.get(currency) or "").strip().upper()
        if not target:
            reach.left_out[currency] = "not mapped to a store currency (Channels & Stores → Currencies)"
        elif not caps.prices:
            reach.left_out[currency] = "the store keeps one currency (no multi-currency plugin or price lists)"
            reach.warnings.add(currency)
        elif target == reach.store_currency:
            reach.left_out[currency] = f"{target} is the store's own currency, which {reach.base_currency} fills"
            reach.warnings.add(currency)
        elif caps.currencies is not None and target not in caps.currencies:
            known = ", ".join(caps.currencies) or "none"
            reach.left_out[currency] = f"the store's {reach.how_currencies} do not know {target} (known: {known})"
            reach.warnings.add(currency)
        elif target in reach.currencies.values():
            reach.left_out[currency] = f"{target} already takes another currency"
            reach.warnings.add(currency)
        else:
            reach.currencies[currency] = target
    return reach


# -- the merchant's per-store choices and what the store was found to hold ----------------------------
# translations: "auto" (use WPML / the Translations API when the store has it) or "off";
# multi_currency (WooCommerce): "auto" (the plugin found active), "none", "curcy" or "wcml";
# plugin_currencies: the currencies the plugin is set up with, comma-separated ("" = not known).
STORE_SETTINGS = {"translations": "auto", "multi_currency": "auto", "plugin_currencies": ""}
TRANSLATION_CHOICES = ("auto", "off")
MULTI_CURRENCY_CHOICES = ("auto", "none", "curcy", "wcml")


def store_settings(info: dict) -> dict[str, str]:
    """A store's i18n settings from its saved info, with the defaults for what was never set."""
    saved = info.get("settings") if isinstance(info.get("settings"), dict) else {}
    return {k: str(saved.get(k, v)) for k, v in STORE_SETTINGS.items()}


def settings_problem(settings: dict[str, str]) -> str | None:
    if settings.get("translations", "auto") not in TRANSLATION_CHOICES:
        return f"Translations must be one of {', '.join(TRANSLATION_CHOICES)}."
    if settings.get("multi_currency", "auto") not in MULTI_CURRENCY_CHOICES:
        return f"Multi-currency plugin must be one of {', '.join(MULTI_CURRENCY_CHOICES)}."
    bad = [c for c in currency_list(settings.get("plugin_currencies", "")) if len(c) != 3 or not c.isalpha()]
    if bad:
        return f"Plugin currencies are three-letter codes such as EUR, GBP; not {', '.join(bad)}."
    return None


def currency_list(text: str) -> list[str]:
    return [c.strip().upper() for c in str(text or "").replace(";", ",").split(",") if c.strip()]


def caps_dict(caps: StoreLanguages) -> dict:
    return {"translations": caps.translations, "default_language": caps.default_language,
            "languages": list(caps.languages), "prices": caps.prices,
            "currencies": None if caps.currencies is None else list(caps.currencies),
            "prices_per_language": caps.prices_per_language, "notes": list(caps.notes)}


def caps_from_dict(data: dict | None) -> StoreLanguages:
    """What the last verification or run found (one language and one currency when nothing is known)."""
    data = data if isinstance(data, dict) else {}
    currencies = data.get("currencies")
    return StoreLanguages(
        translations=str(data.get("translations") or ""), default_language=str(data.get("default_language") or ""),
        languages=tuple(data.get("languages") or ()), prices=str(data.get("prices") or ""),
        currencies=None if currencies is None else tuple(currencies),
        prices_per_language=bool(data.get("prices_per_language")), notes=list(data.get("notes") or []))

"""Pure rules of #18: which locales and currencies reach a store, the plugins' price meta both ways, and
translations and currencies as fields of the three-way merge."""

from __future__ import annotations

import json

from unopim_desktop.domain import ChannelRow, StoreLanguages, StorePrice, StoreProduct, StoreTranslation
from unopim_desktop.mapping.i18n import channel_reach, settings_problem
from unopim_desktop.stores.woocommerce.i18n import effective, prices_meta, take_prices
from unopim_desktop.sync.changes import content_hash, field_changes, snapshot
from unopim_desktop.sync.merge import PULL, PUSH, UNOPIM_WINS, apply_fields, fields_of, three_way


def _channel(**kw) -> ChannelRow:
    return ChannelRow(code="default", labels={}, root_category="root", locales=["en_US", "fr_FR", "de_DE"],
                      currencies=["USD", "EUR", "GBP"], default_locale="en_US", **kw)


def test_without_a_plugin_one_locale_and_one_currency_with_the_reason():
    reach = channel_reach(_channel(locale_map={"fr_FR": "fr"}, currency_map={"EUR": "EUR"}), StoreLanguages(), "USD")
    assert reach.translations == {} and reach.currencies == {} and reach.base_currency == "USD"
    assert "one locale per channel" in reach.left_out["fr_FR"] and "fr_FR" in reach.warnings
    assert "not mapped" in reach.left_out["de_DE"] and "de_DE" not in reach.warnings
    assert "one currency" in reach.left_out["EUR"]


def test_mapped_locales_and_known_currencies_reach_the_store():
    caps = StoreLanguages(translations="wpml", default_language="en", languages=("en", "fr"), prices="curcy",
                          currencies=("EUR",))
    reach = channel_reach(_channel(locale_map={"fr_FR": "fr", "de_DE": "de"},
                                   currency_map={"EUR": "EUR", "GBP": "GBP"}), caps, "USD")
    assert reach.translations == {"fr_FR": "fr"} and reach.languages == {"fr": "fr_FR"}
    assert "not an active language" in reach.left_out["de_DE"]
    assert reach.currencies == {"EUR": "EUR"} and "do not know GBP" in reach.left_out["GBP"]
    # The store's default language and currency are the originals' and the base's, never a translation.
    reach = channel_reach(_channel(locale_map={"fr_FR": "en"}, currency_map={"EUR": "USD"}), caps, "USD")
    assert "default language" in reach.left_out["fr_FR"] and reach.base_currency == "EUR"


def test_store_settings_are_checked():
    assert settings_problem({"multi_currency": "yen"}) and settings_problem({"plugin_currencies": "EURO"})
    assert settings_problem({"translations": "off", "plugin_currencies": "EUR, GBP"}) is None


def test_curcy_and_wcml_meta_carry_the_whole_map_and_read_back():
    prices = {"EUR": StorePrice("8.50", "7.00"), "GBP": StorePrice("7.20", "")}
    curcy = {m["key"]: m["value"] for m in prices_meta(prices, "curcy", ("EUR", "GBP"))}
    assert json.loads(curcy["_regular_price_wmcp"]) == {"EUR": "8.50", "GBP": "7.20"}
    assert json.loads(curcy["_sale_price_wmcp"]) == {"EUR": "7.00"}
    wcml = {m["key"]: m["value"] for m in prices_meta(prices, "wcml", ("EUR", "GBP"))}
    assert wcml["_wcml_custom_prices_status"] == "1" and wcml["_price_EUR"] == "7.00" and wcml["_price_GBP"] == "7.20"
    for plugin, meta in (("curcy", curcy), ("wcml", wcml)):
        back = StoreProduct(sku="X", meta={**meta, "_other": "kept"})
        take_prices(back, plugin, ("EUR", "GBP"))
        assert back.prices == prices and back.meta == {"_other": "kept"}
    assert effective(StorePrice("5", "6")) == "5"  # a sale above the regular price is no sale


def test_translations_and_currencies_are_fields_of_the_base_and_merge_alone():
    base_product = StoreProduct(sku="X", name="Chair", translations={"fr": StoreTranslation(name="Chaise")},
                                prices={"EUR": StorePrice("8.50")})
    fields = fields_of(base_product)
    assert fields["name@fr"] == "Chaise" and fields["regular_price@EUR"] == "8.5"
    store = StoreProduct(sku="X", name="Chair", translations={"fr": StoreTranslation(name="Chaise bleue")},
                         prices={"EUR": StorePrice("9")})
    pushed = three_way(fields, fields_of(store), fields_of(base_product), side=PUSH, rule=UNOPIM_WINS)
    assert pushed.write == {"name@fr", "regular_price@EUR"}
    pulled = three_way(fields, fields_of(base_product), fields_of(store), side=PULL, rule=UNOPIM_WINS)
    assert pulled.empty  # UnoPim changed nothing: the store's edits stay
    merged = apply_fields(base_product, store, {"name@fr"})
    assert merged.translations["fr"].name == "Chaise bleue" and merged.prices["EUR"].regular_price == "8.50"


def test_hashes_of_what_was_synced_before_stay_and_the_preview_names_each_language():
    plain = StoreProduct(sku="X", name="Chair")
    # Empty translations and prices are left out of what is hashed: a product synced before #18 keeps its hash.
    assert not {"translations", "prices"} & set(snapshot(plain))
    assert content_hash(plain) != content_hash(StoreProduct(sku="X", name="Chair", prices={"EUR": StorePrice("1")}))
    changes = field_changes(plain, StoreProduct(sku="X", name="Chair", translations={"fr": StoreTranslation(name="C")}))
    assert changes == {"name@fr": ("", "C")}

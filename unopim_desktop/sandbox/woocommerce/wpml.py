"""WPML with WooCommerce Multilingual (WCML 5.x REST support) on the WooCommerce sandbox: i18n.md part A.

Switched on with `WooState.enable_wpml(...)`. Then products, variations and terms carry `lang` and a
`translations` map (the object itself included); lists show the default language unless `lang` asks for
another or `all`; `include=` without `lang` is rewritten to the default language's ids. A translation is
written with `lang` + `translation_of`; WCML copies the original's SKU, prices, stock, shipping, attributes
(terms mapped to their translations), categories and tags into it, creates the translated variations itself
(and deletes orphaned ones), re-copies prices onto a translation saved later, and syncs stock across the
group. The errors are WCML's: 422 with an integer code on products (the POSTed product is trashed), an
uncaught exception (500, the term kept in the default language) on terms.

Each post and term has a `lang` and a `trid` (translation group: the original's id); `groups[trid]` holds
the group's ids by language.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from unopim_desktop.sandbox.woocommerce.errors import WooError

WPML_PLUGIN = {"plugin": "sitepress-multilingual-cms/sitepress.php", "name": "WPML Multilingual CMS",
               "version": "4.6.13"}
WCML_PLUGIN = {"plugin": "woocommerce-multilingual/wpml-woocommerce.php",
               "name": "WPML Multilingual & Multicurrency for WooCommerce", "version": "5.2.1"}
CURCY_PLUGIN = {"plugin": "woo-multi-currency/woo-multi-currency.php",
                "name": "CURCY - Multi Currency for WooCommerce", "version": "2.2.14"}

# What WCML's wpml-config.xml marks `copy` on products (and the product type taxonomy): the translation
# always holds the original's values.
COPIED = ("sku", "type", "regular_price", "sale_price", "date_on_sale_from", "date_on_sale_to", "manage_stock",
          "stock_quantity", "stock_status", "backorders", "low_stock_amount", "weight", "dimensions", "tax_status",
          "tax_class", "shipping_class", "virtual", "downloadable", "image_ids")
VARIATION_COPIED = ("sku", "regular_price", "sale_price", "date_on_sale_from", "date_on_sale_to", "manage_stock",
                    "stock_quantity", "stock_status", "backorders", "weight", "dimensions", "tax_status", "tax_class",
                    "virtual", "image_id", "status", "menu_order")
# WCML's custom-price meta (multi-currency), copied with the rest; CURCY's `_…_wmcp` ships no config: not copied.
WCML_PRICE_META = re.compile(r"^(_wcml_custom_prices_status|_wcml_schedule_[A-Z]{3}|_(regular_|sale_)?price_[A-Z]{3}"
                             r"|_sale_price_dates_(from|to)_[A-Z]{3})$")
DUPLICATE_OF = "_wcml_duplicate_of_variation"


def wcml_error(message: str) -> WooError:
    """`WC_REST_Exception(422, msg, 422)`: the code is the integer 422 (i18n.md A5)."""
    error = WooError("422", message, 422)
    error.code = 422  # type: ignore[assignment]  # WC_Data_Exception's code as WCML passes it
    return error


def uncaught(message: str) -> WooError:
    """An exception nothing catches (the terms controller): WordPress's critical-error answer."""
    del message  # WordPress hides the exception's text (WP_DEBUG off): only the critical-error page
    return WooError("internal_server_error", "<p>There has been a critical error on this website.</p>", 500)


@dataclass
class Wpml:
    default: str = "en"
    languages: tuple[str, ...] = ("en", "fr", "de")
    copy_price_meta: bool = False  # WCML multi-currency: the custom-price meta is copied into translations
    groups: dict[int, dict[str, int]] = field(default_factory=dict)  # post trid -> language -> id
    term_lang: dict[int, str] = field(default_factory=dict)
    term_trid: dict[int, int] = field(default_factory=dict)
    term_groups: dict[int, dict[str, int]] = field(default_factory=dict)

    # -- what a request asks -------------------------------------------------------------------------
    def wanted(self, params: dict[str, Any]) -> str | None:
        """The language a listing shows: the request's `lang`, else the default; None for `all`."""
        lang = str(params.get("lang") or self.default)
        return None if lang == "all" else lang

    def active(self, lang: str) -> bool:
        return lang in self.languages

    # -- posts ---------------------------------------------------------------------------------------
    def lang_of(self, record: dict[str, Any]) -> str:
        return record.get("lang") or self.default

    @staticmethod
    def trid_of(record: dict[str, Any]) -> int:
        return int(record.get("trid") or record["id"])

    def group(self, record: dict[str, Any]) -> dict[str, int]:
        return self.groups.get(self.trid_of(record)) or {self.lang_of(record): record["id"]}

    def register(self, record: dict[str, Any]) -> None:
        record.setdefault("lang", self.default)
        record.setdefault("trid", record["id"])
        self.groups.setdefault(record["trid"], {})[record["lang"]] = record["id"]

    def post_fields(self, record: dict[str, Any]) -> dict[str, Any]:
        return {"lang": self.lang_of(record), "translations": dict(sorted(self.group(record).items()))}

    def adjust_include(self, ids: list[int], records: dict[int, dict[str, Any]]) -> list[int]:
        """`autoAdjustIncludedIds`: each id replaced by its default-language translation."""
        out = []
        for post_id in ids:
            record = records.get(post_id)
            out.append(self.group(record).get(self.default, post_id) if record else post_id)
        return out

    # -- terms ---------------------------------------------------------------------------------------
    def term_language(self, term_id: int) -> str:
        return self.term_lang.get(term_id, self.default)

    def term_group(self, term_id: int) -> dict[str, int]:
        return self.term_groups.get(self.term_trid.get(term_id, term_id)) or {self.term_language(term_id): term_id}

    def term_fields(self, term_id: int) -> dict[str, Any]:
        return {"lang": self.term_language(term_id), "translations": dict(sorted(self.term_group(term_id).items()))}

    def translated_term(self, term_id: int, lang: str) -> int:
        return self.term_group(term_id).get(lang, term_id)

    def join_term(self, term_id: int, lang: str, original: int | None) -> None:
        trid = self.term_trid.get(original, original) if original else term_id
        self.term_lang[term_id] = lang
        self.term_trid[term_id] = trid
        group = self.term_groups.setdefault(trid, {})
        if original and not group:
            group[self.term_language(original)] = original
        group[lang] = term_id


def same_group(state: Any, owner_id: int, record: dict[str, Any]) -> bool:
    """`check_product_sku`: a SKU is shared only within one translation group (a new object has none)."""
    wpml: Wpml | None = state.wpml
    if wpml is None or not record.get("id") or not record.get("trid"):
        return False
    owner = state.product_records.get(owner_id) or state.variation_records.get(owner_id)
    return owner is not None and wpml.trid_of(owner) == record["trid"]


def is_translation(record: dict[str, Any]) -> bool:
    return bool(record.get("trid")) and record["trid"] != record["id"]


# -- products: the insert hook and the sync ----------------------------------------------------------
def check_translation(state: Any, item: dict[str, Any]) -> tuple[str, dict[str, Any] | None, WooError | None]:
    """The language and original a product write asks for, or the error WCML throws after the insert."""
    wpml: Wpml = state.wpml
    lang = str(item.get("lang") or "")
    original_id = item.get("translation_of")
    if original_id not in (None, "") and not lang:
        return "", None, wcml_error('Using "translation_of" requires providing a "lang" parameter too')
    if lang and not wpml.active(lang):
        return "", None, wcml_error(f'Invalid language parameter: "{lang}"')
    if original_id in (None, ""):
        return lang, None, None
    original = state.product_records.get(int(original_id)) if str(original_id).isdigit() else None
    if original is None or original["status"] == "trash":
        return "", None, wcml_error(f"Product not found: {original_id}")
    return lang, original, None


def after_product_save(state: Any, record: dict[str, Any], *, lang: str, original: dict[str, Any] | None,
                       creating: bool, stock_sent: bool) -> None:
    """`ProductSaveActions::run` and `synchronize_products` (caller holds the lock)."""
    wpml: Wpml = state.wpml
    if original is not None:
        record["lang"], record["trid"] = lang, wpml.trid_of(original)
    elif creating:
        record["lang"], record["trid"] = lang or wpml.default, record["id"]
    wpml.register(record)
    if is_translation(record):
        source = state.product_records.get(record["trid"])
        if source is None:
            return
        if stock_sent and record.get("manage_stock"):  # `sync_product_stock_hook`: from whichever side
            source["stock_quantity"] = record["stock_quantity"]
        sync_translation(state, source, record)
        for other in _members(state, source):
            if other is not record:
                sync_translation(state, source, other)
        return
    for other in _members(state, record):
        sync_translation(state, record, other)


def _members(state: Any, original: dict[str, Any]) -> list[dict[str, Any]]:
    wpml: Wpml = state.wpml
    ids = [i for lang, i in wpml.group(original).items() if i != original["id"]]
    return [state.product_records[i] for i in ids if i in state.product_records]


def sync_translation(state: Any, original: dict[str, Any], target: dict[str, Any]) -> None:
    """Copy what WCML copies from the original into one translation, then its variations."""
    wpml: Wpml = state.wpml
    lang = wpml.lang_of(target)
    before = copy.deepcopy(target)
    for name in COPIED:
        target[name] = copy.deepcopy(original[name])
    target["category_ids"] = [wpml.translated_term(t, lang) for t in original["category_ids"]]
    target["tag_ids"] = [wpml.translated_term(t, lang) for t in original["tag_ids"]]
    target["attributes"] = [{**a, "options": [wpml.translated_term(t, lang) for t in a["options"]]}
                            if a["attribute_id"] else copy.deepcopy(a) for a in original["attributes"]]
    target["upsell_ids"] = [_translated_post(state, i, lang) for i in original["upsell_ids"]]
    target["cross_sell_ids"] = [_translated_post(state, i, lang) for i in original["cross_sell_ids"]]
    if wpml.copy_price_meta:
        kept = [m for m in target["meta_data"] if not WCML_PRICE_META.match(m["key"])]
        target["meta_data"] = kept + [dict(m) for m in original["meta_data"] if WCML_PRICE_META.match(m["key"])]
    target["date_modified"] = state.now()
    state.index_terms(target["id"], before, target)
    if original["type"] == "variable":
        sync_variations(state, original, target)


def _translated_post(state: Any, post_id: int, lang: str) -> int:
    record = state.product_records.get(post_id)
    return state.wpml.group(record).get(lang, post_id) if record else post_id


def sync_variations(state: Any, original: dict[str, Any], target: dict[str, Any]) -> None:
    """`sync_product_variations`: one translated variation per variation of the original (created by WCML,
    with `_wcml_duplicate_of_variation`), updated from it, and the orphans deleted."""
    wpml: Wpml = state.wpml
    lang = wpml.lang_of(target)
    sources = {v["id"]: v for v in (state.variation_records[i] for i in state.children.get(original["id"], ()))
               if v["status"] != "trash"}
    mine = {wpml.trid_of(v): v for v in (state.variation_records[i] for i in list(state.children.get(target["id"], ())))}
    for trid, variation in list(mine.items()):
        if trid not in sources:
            state.drop_variation(variation["id"])
            wpml.groups.get(trid, {}).pop(lang, None)
    for source_id, source in sources.items():
        copy_of = mine.get(source_id)
        if copy_of is None:
            copy_of = {**copy.deepcopy(source), "id": state.new_post_id(), "parent_id": target["id"], "lang": lang,
                       "trid": source_id, "description": source["description"], "date_created": state.now()}
            copy_of["meta_data"] = [m for m in copy_of["meta_data"] if m["key"] != DUPLICATE_OF]
            copy_of["meta_data"].append({"id": state.new_meta_id(), "key": DUPLICATE_OF, "value": str(source_id)})
            source.setdefault("lang", wpml.default)
            source.setdefault("trid", source_id)
            wpml.register(source)
        for name in VARIATION_COPIED:
            copy_of[name] = copy.deepcopy(source[name])
        copy_of["attributes"] = {key: _translated_slug(state, key, value, lang)
                                 for key, value in source["attributes"].items()}
        # Variation meta is duplicated whole (CURCY's fixed prices with it); the description is translated.
        copy_of["meta_data"] = [dict(m) for m in source["meta_data"]] + [
            m for m in copy_of["meta_data"] if m["key"] == DUPLICATE_OF]
        copy_of["date_modified"] = state.now()
        state.store_variation(copy_of)
        wpml.register(copy_of)


def _translated_slug(state: Any, key: str, slug: str, lang: str) -> str:
    if not key.startswith("pa:"):
        return slug
    term = state.term_by_slug(key, slug)
    if term is None:
        return slug
    translated = state.terms.get(state.wpml.translated_term(term.id, lang))
    return translated.slug if translated else slug


def after_variation_save(state: Any, record: dict[str, Any]) -> None:
    """A variation saved on an original re-syncs the parent's translations; one saved on a translation is
    re-synced from its original (prices and stock are the original's)."""
    wpml: Wpml = state.wpml
    record.setdefault("lang", wpml.lang_of(state.product_records.get(record["parent_id"]) or {"id": 0}))
    record.setdefault("trid", record["id"])
    wpml.register(record)
    resync_variations(state, record["parent_id"])


def resync_variations(state: Any, parent_id: int) -> None:
    parent = state.product_records.get(parent_id)
    if parent is None:
        return
    original = state.product_records.get(parent.get("trid") or parent["id"], parent)
    for other in _members(state, original):
        sync_variations(state, original, other)

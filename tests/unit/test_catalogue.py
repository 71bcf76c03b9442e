"""The seeded catalogue generator: determinism, shapes, and UnoPim's value rules (unopim-api.md §6, §7).

The value checks re-state UnoPim's validation rules here (Slug SKUs, Decimal, BooleanString, option
existence, date formats, price maps, bucket placement) rather than reusing the generator's tables, so a
generator bug cannot hide behind its own definitions.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
import subprocess
import sys
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from unopim_desktop.sandbox.catalogue import Catalogue, generate_catalogue

REPO = Path(__file__).resolve().parents[2]

SECTIONS = {
    "common",
    "locale_specific",
    "channel_specific",
    "channel_locale_specific",
    "categories",
    "associations",
}
ASSOCIATION_SECTIONS = {"up_sells", "cross_sells", "related_products"}
RESERVED_CODES = {
    "channel", "locale", "type", "parent", "attribute_family", "attribute_family_id", "configurable_attributes",
    "categories", "up_sells", "cross_sells", "related_products", "status",
}  # fmt: skip
TYPES = {"text", "textarea", "price", "boolean", "select", "multiselect", "datetime", "date", "image", "gallery",
         "file", "checkbox"}  # fmt: skip

SLUG = re.compile(r"^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$")  # Webkul\Core\Rules\Slug (the sku rule)
CODE = re.compile(r"^[a-zA-Z0-9_]+$")  # Webkul\Core\Rules\Code
DECIMAL = re.compile(r"^\d*(\.\d{1,4})?$")  # Webkul\Core\Rules\Decimal
PRICE = re.compile(r"^\d+(\.\d+)?$")  # the price.* rule
NUMERIC = re.compile(r"^-?\d+(\.\d+)?$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
URL = re.compile(r"^https?://[^\s/]+\.[a-z]{2,}(/\S*)?$")

DEFAULT_INSTALL = {
    # code: (type, value_per_locale, value_per_channel) from unopim-api.md §6.1
    "sku": ("text", 0, 0), "name": ("text", 1, 1), "url_key": ("text", 0, 0), "tax_category_id": ("select", 0, 1),
    "image": ("image", 0, 0), "short_description": ("textarea", 1, 1), "description": ("textarea", 1, 1),
    "price": ("price", 1, 1), "cost": ("price", 0, 1), "meta_title": ("textarea", 1, 1),
    "meta_keywords": ("textarea", 1, 1), "meta_description": ("textarea", 1, 1), "length": ("text", 0, 0),
    "width": ("text", 0, 0), "height": ("text", 0, 0), "weight": ("text", 0, 0), "color": ("select", 0, 0),
    "size": ("select", 0, 0), "brand": ("select", 0, 0), "product_number": ("text", 0, 0),
}  # fmt: skip


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return generate_catalogue(60, seed=7)


@pytest.fixture(scope="module")
def wide() -> Catalogue:
    """More locales, currencies and channels than the default, so per-channel shapes differ more."""
    return generate_catalogue(40, seed=11, locales=4, currencies=3, channels=3)


def every_product(cat: Catalogue) -> list[dict[str, Any]]:
    return cat.products + cat.configurable_products


def scope_of(attribute: dict[str, Any]) -> str:
    if attribute["value_per_locale"] and attribute["value_per_channel"]:
        return "channel_locale_specific"
    if attribute["value_per_channel"]:
        return "channel_specific"
    if attribute["value_per_locale"]:
        return "locale_specific"
    return "common"


def family_attributes(cat: Catalogue) -> dict[str, set[str]]:
    return {
        f["code"]: {a["code"] for g in f["attribute_groups"] for a in g["custom_attributes"]}
        for f in cat.families
    }


def scoped_values(product: dict[str, Any]) -> list[tuple[str, str | None, str | None, str, Any]]:
    """(bucket, channel, locale, attribute code, value) for every attribute value of a product."""
    values = product["values"]
    out: list[tuple[str, str | None, str | None, str, Any]] = []
    for code, value in values.get("common", {}).items():
        out.append(("common", None, None, code, value))
    for locale, entries in values.get("locale_specific", {}).items():
        out += [("locale_specific", None, locale, code, value) for code, value in entries.items()]
    for channel, entries in values.get("channel_specific", {}).items():
        out += [("channel_specific", channel, None, code, value) for code, value in entries.items()]
    for channel, locales in values.get("channel_locale_specific", {}).items():
        for locale, entries in locales.items():
            out += [
                ("channel_locale_specific", channel, locale, code, value) for code, value in entries.items()
            ]
    return out


def check_value(cat: Catalogue, attribute: dict[str, Any], value: Any, currencies: list[str]) -> None:
    """Raise AssertionError when UnoPim would reject `value` for `attribute`."""
    kind, code = attribute["type"], attribute["code"]
    options = {o["code"] for o in cat.attribute_options.get(code, [])}
    if kind == "price":
        assert isinstance(value, dict) and sorted(value) == sorted(currencies), (code, value, currencies)
        assert all(isinstance(v, str) and PRICE.match(v) for v in value.values()), (code, value)
        return
    assert isinstance(value, str), (code, value)
    if kind in ("text", "textarea"):
        validation = attribute["validation"]
        if validation == "decimal":
            assert DECIMAL.match(value), (code, value)
        elif validation == "number":
            assert NUMERIC.match(value), (code, value)
        elif validation == "email":
            assert EMAIL.match(value), (code, value)
        elif validation == "url":
            assert URL.match(value), (code, value)
        elif validation == "regex":
            assert re.search(attribute["regex_pattern"], value), (code, value)
        if kind == "textarea" and attribute["enable_wysiwyg"]:
            assert value.startswith("<") and "&" not in value.replace("&amp;", ""), (code, value)
    elif kind == "boolean":
        assert value in ("true", "false"), (code, value)
    elif kind == "select":
        assert value in options, (code, value)
    elif kind in ("multiselect", "checkbox"):
        parts = value.split(",")
        assert parts and set(parts) <= options and len(set(parts)) == len(parts), (code, value)
    elif kind == "date":
        datetime.strptime(value, "%Y-%m-%d")
        assert len(value) == 10
    elif kind == "datetime":
        datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
        assert len(value) == 19
    elif kind == "image":
        assert "," not in value and value.endswith(".png") and cat.image_bytes(value) is not None, (
            code,
            value,
        )
    elif kind == "file":
        # UnoPim refuses image extensions on file attributes; the catalogue uses PDFs there.
        data = cat.image_bytes(value)
        assert "," not in value and value.endswith(".pdf") and data and data.startswith(b"%PDF-"), (
            code,
            value,
        )
    elif kind == "gallery":
        assert all(cat.image_bytes(p) is not None for p in value.split(",")), (code, value)
    else:  # pragma: no cover - a new type would need a rule here
        raise AssertionError(f"unchecked type {kind}")


def png_header(data: bytes) -> tuple[int, int, int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    body = data[16 : 16 + length]
    (crc,) = struct.unpack(">I", data[16 + length : 20 + length])
    assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
    width, height, depth, color_type = struct.unpack(">IIBB", body[:10])
    return width, height, depth, color_type


# -- determinism and counts -------------------------------------------------------------------------------


def test_same_arguments_give_an_identical_catalogue() -> None:
    first = generate_catalogue(30, seed=5)
    second = generate_catalogue(30, seed=5)
    assert first == second
    assert json.dumps(first.products) == json.dumps(second.products)
    path = first.image_paths()[3]
    assert first.image_bytes(path) == second.image_bytes(path)


def _digest(cat: Catalogue) -> str:
    fields = ("locales", "currencies", "channels", "attributes", "attribute_options", "families", "categories",
              "products", "configurable_products", "media_paths")  # fmt: skip
    return hashlib.sha256(json.dumps([getattr(cat, f) for f in fields]).encode()).hexdigest()


def test_determinism_does_not_depend_on_hash_randomisation() -> None:
    code = (
        "import hashlib, json\n"
        "from tests.unit.test_catalogue import _digest\n"
        "from unopim_desktop.sandbox.catalogue import generate_catalogue\n"
        "print(_digest(generate_catalogue(40, seed=8, locales=3)))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True
    )
    assert other.stdout.strip() == _digest(generate_catalogue(40, seed=8, locales=3))


def test_another_seed_gives_another_catalogue() -> None:
    first = generate_catalogue(30, seed=5)
    other = generate_catalogue(30, seed=6)
    assert json.dumps(first.products) != json.dumps(other.products)


def test_counts_follow_the_requested_sizes() -> None:
    cat = generate_catalogue(20, seed=1, configurable_share=0.3, variants_per_product=4)
    counts = cat.counts()
    assert counts["configurable_products"] == 6 == len(cat.configurable_products)
    assert counts["products"] == 14 == sum(1 for p in cat.products if p["parent"] is None)
    assert counts["variants"] == 24 == sum(1 for p in cat.products if p["parent"] is not None)
    assert counts["products"] + counts["configurable_products"] == 20
    assert counts["categories"] == len(cat.categories) == 1 + 4 + 12 + 36
    assert counts["images"] == len(cat.image_paths())
    assert counts["attribute_options"] == sum(len(v) for v in cat.attribute_options.values())


@pytest.mark.parametrize("products", [0, 1, 2])
def test_tiny_catalogues_are_consistent(products: int) -> None:
    cat = generate_catalogue(products, seed=3)
    assert cat.counts()["products"] + cat.counts()["configurable_products"] == products
    for product in every_product(cat):
        for section in product["values"].get("associations", {}).values():
            assert product["sku"] not in section


def test_out_of_range_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        generate_catalogue(-1)
    with pytest.raises(ValueError):
        generate_catalogue(5, locales=0)
    with pytest.raises(ValueError):
        generate_catalogue(5, channels=99)
    with pytest.raises(ValueError):
        generate_catalogue(5, configurable_share=1.5)
    with pytest.raises(ValueError):
        generate_catalogue(10, variants_per_product=0)


# -- settings, attributes, families, categories -----------------------------------------------------------


def test_locales_currencies_and_channels(wide: Catalogue) -> None:
    assert [loc["code"] for loc in wide.locales if loc["status"] == 1] == ["en_US", "fr_FR", "de_DE", "es_ES"]
    assert any(loc["status"] == 0 for loc in wide.locales)
    assert all(set(loc) == {"code", "status"} for loc in wide.locales)
    assert [c["code"] for c in wide.currencies if c["status"] == 1] == ["USD", "EUR", "GBP"]
    assert all(set(c) == {"code", "status", "label"} and c["label"] for c in wide.currencies)
    default, *others = wide.channels
    assert [ch["code"] for ch in wide.channels] == ["default", "mobile", "print"]
    assert default["locales"] == wide.active_locales() and default["currencies"] == wide.active_currencies()
    for channel in wide.channels:
        assert set(channel) == {"code", "labels", "root_category", "locales", "currencies"}
        assert channel["root_category"] == "root" and channel["locales"][0] == "en_US"
        assert set(channel["locales"]) <= set(wide.active_locales())
        assert set(channel["labels"]) == set(wide.active_locales())
    assert any(len(ch["locales"]) < len(default["locales"]) for ch in others)


def test_default_install_attributes_keep_their_stock_flags(catalogue: Catalogue) -> None:
    by_code = {a["code"]: a for a in catalogue.attributes}
    for code, (kind, per_locale, per_channel) in DEFAULT_INSTALL.items():
        attribute = by_code[code]
        assert (attribute["type"], attribute["value_per_locale"], attribute["value_per_channel"]) == (
            kind, per_locale, per_channel
        ), code  # fmt: skip
    assert by_code["sku"]["is_unique"] == 1 and by_code["url_key"]["is_unique"] == 1


def test_attributes_cover_every_type_and_scope(catalogue: Catalogue) -> None:
    keys = {"code", "type", "swatch_type", "validation", "regex_pattern", "position", "is_required", "is_unique",
            "value_per_locale", "value_per_channel", "enable_wysiwyg", "labels"}  # fmt: skip
    for attribute in catalogue.attributes:
        assert set(attribute) == keys
        assert CODE.match(attribute["code"]) and attribute["code"] not in RESERVED_CODES
        assert set(attribute["labels"]) == set(catalogue.active_locales())
        for flag in ("is_required", "is_unique", "value_per_locale", "value_per_channel", "enable_wysiwyg"):
            assert attribute[flag] in (0, 1)
    assert {a["type"] for a in catalogue.attributes} == TYPES
    assert any(a["type"] == "text" and a["validation"] == "number" for a in catalogue.attributes)
    assert {scope_of(a) for a in catalogue.attributes} == {
        "common", "locale_specific", "channel_specific", "channel_locale_specific"
    }  # fmt: skip


def test_option_lists_exist_for_option_attributes(catalogue: Catalogue) -> None:
    for attribute in catalogue.attributes:
        options = catalogue.attribute_options.get(attribute["code"], [])
        if attribute["type"] in ("select", "multiselect", "checkbox"):
            assert options, attribute["code"]
        for i, option in enumerate(options, 1):
            assert set(option) == {"code", "sort_order", "labels"} and option["sort_order"] == i
            assert CODE.match(option["code"])
            assert set(option["labels"]) == set(catalogue.active_locales())


def test_families_and_groups(catalogue: Catalogue) -> None:
    groups = {g["code"] for g in catalogue.attribute_groups}
    assert {"general", "technical"} <= groups and len(groups) >= 5
    families = family_attributes(catalogue)
    assert families["default"] == {a["code"] for a in catalogue.attributes}
    assert {"color", "size"} <= families["clothing"]
    assert len(families) >= 2
    for family in catalogue.families:
        assert set(family) == {"code", "labels", "attribute_groups"}
        for group in family["attribute_groups"]:
            assert group["code"] in groups and set(group) == {"code", "position", "custom_attributes"}


def test_category_tree_is_three_levels_under_root(catalogue: Catalogue) -> None:
    root = catalogue.categories[0]
    assert root["code"] == "root" and root["parent"] is None
    depth = {"root": 0}
    for category in catalogue.categories[1:]:
        assert CODE.match(category["code"])
        assert category["parent"] in depth, "a parent must come before its children"
        depth[category["code"]] = depth[category["parent"]] + 1
        names = category["additional_data"]["locale_specific"]
        assert set(names) == set(catalogue.active_locales()) and all(n["name"] for n in names.values())
    assert max(depth.values()) == 3
    assert sum(1 for d in depth.values() if d == 1) == 4


# -- product values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["catalogue", "wide"])
def test_every_value_sits_in_its_bucket_and_passes_unopim_rules(fixture: str, request: Any) -> None:
    cat: Catalogue = request.getfixturevalue(fixture)
    attributes = {a["code"]: a for a in cat.attributes}
    channels = {ch["code"]: ch for ch in cat.channels}
    families = family_attributes(cat)
    categories = {c["code"] for c in cat.categories}
    for product in every_product(cat):
        values = product["values"]
        assert set(values) <= SECTIONS
        assert values["common"]["sku"] == product["sku"] and SLUG.match(product["sku"])
        assert product["family"] in families
        for bucket, channel, locale, code, value in scoped_values(product):
            attribute = attributes[code]
            assert scope_of(attribute) == bucket, (product["sku"], code, bucket)
            assert code in families[product["family"]], (product["sku"], code)
            if channel is not None:
                assert channel in channels
            if bucket == "channel_locale_specific":
                assert locale in channels[channel]["locales"]
            currencies = channels[channel]["currencies"] if channel else cat.active_currencies()
            check_value(cat, attribute, value, currencies)
        # One entry per active locale / channel / channel locale wherever a bucket is used.
        if "locale_specific" in values:
            assert list(values["locale_specific"]) == cat.active_locales()
        if "channel_specific" in values:
            assert list(values["channel_specific"]) == list(channels)
        for channel, per_locale in values["channel_locale_specific"].items():
            assert list(per_locale) == channels[channel]["locales"]
        assert list(values["channel_locale_specific"]) == list(channels)
        assert values["categories"] and set(values["categories"]) <= categories - {"root"}


def test_every_attribute_has_a_value_somewhere(catalogue: Catalogue) -> None:
    used = {code for p in every_product(catalogue) for _b, _c, _l, code, _v in scoped_values(p)}
    assert used == {a["code"] for a in catalogue.attributes}


def test_unique_attributes_are_unique(catalogue: Catalogue) -> None:
    for code in ("sku", "url_key", "product_number"):
        seen = [
            p["values"]["common"][code] for p in every_product(catalogue) if code in p["values"]["common"]
        ]
        assert len(seen) == len(set(seen)), code


def test_product_shapes(catalogue: Catalogue) -> None:
    for product in catalogue.products:
        assert list(product) == ["sku", "status", "parent", "family", "type", "additional", "values"]
        assert product["type"] == "simple" and isinstance(product["status"], bool)
    for product in catalogue.configurable_products:
        assert set(product) == {"sku", "status", "parent", "family", "type", "additional", "values",
                                "super_attributes", "variants"}  # fmt: skip
        assert product["type"] == "configurable" and product["parent"] is None


def test_required_values_are_present_for_the_default_channel(catalogue: Catalogue) -> None:
    for product in catalogue.products:
        common = product["values"]["common"]
        assert {"sku", "url_key", "weight"} <= set(common)
        for per_locale in product["values"]["channel_locale_specific"].values():
            for entry in per_locale.values():
                assert entry["name"] and entry["price"]


def test_variants_follow_their_configurable_parent(catalogue: Catalogue) -> None:
    attributes = {a["code"]: a for a in catalogue.attributes}
    families = family_attributes(catalogue)
    by_sku = {p["sku"]: p for p in catalogue.products}
    assert catalogue.configurable_products
    for parent in catalogue.configurable_products:
        assert parent["super_attributes"] == ["color", "size"]
        for axis in parent["super_attributes"]:
            assert attributes[axis]["type"] == "select" and scope_of(attributes[axis]) == "common"
            assert axis in families[parent["family"]]
            assert axis not in parent["values"]["common"]
        combos = set()
        assert len(parent["variants"]) == 4
        for entry in parent["variants"]:
            variant = by_sku[entry["sku"]]
            assert variant["parent"] == parent["sku"] and variant["family"] == parent["family"]
            assert set(entry["attributes"]) == {"color", "size"}
            for axis, option in entry["attributes"].items():
                assert variant["values"]["common"][axis] == option
                assert option in {o["code"] for o in catalogue.attribute_options[axis]}
            combos.add(tuple(sorted(entry["attributes"].items())))
        assert len(combos) == len(parent["variants"])
    assert sum(1 for p in catalogue.products if p["parent"]) == sum(
        len(p["variants"]) for p in catalogue.configurable_products
    )


def test_associations_point_at_existing_skus(catalogue: Catalogue) -> None:
    skus = {p["sku"] for p in every_product(catalogue)}
    linked = 0
    for product in every_product(catalogue):
        associations = product["values"].get("associations", {})
        assert set(associations) <= ASSOCIATION_SECTIONS
        for section in associations.values():
            assert section and set(section) <= skus and product["sku"] not in section
            assert len(section) == len(set(section))
            linked += len(section)
    assert linked > 0


def test_tags_come_from_the_vocabulary(catalogue: Catalogue) -> None:
    counts = set()
    for product in every_product(catalogue):
        tags = product["values"]["common"].get("tags")
        parts = tags.split(",") if tags else []
        assert set(parts) <= set(catalogue.tags) and len(parts) == len(set(parts))
        counts.add(len(parts))
    assert counts <= {0, 1, 2, 3} and len(counts) > 1


# -- media ------------------------------------------------------------------------------------------------


def test_every_product_has_one_image_and_its_bytes_are_a_png(catalogue: Catalogue) -> None:
    ids = catalogue.product_ids()
    for product in every_product(catalogue):
        path = product["values"]["common"]["image"]
        assert "," not in path and path.startswith(f"product/{ids[product['sku']]}/image/")
        data = catalogue.image_bytes(path)
        assert data is not None
        assert png_header(data)[2:] == (8, 2)
    first, second = catalogue.image_paths()[:2]
    assert catalogue.image_bytes(first) != catalogue.image_bytes(second)


def test_png_decodes_to_the_declared_size(catalogue: Catalogue) -> None:
    data = catalogue.image_bytes(catalogue.image_paths()[0])
    assert data is not None
    width, height, _depth, _color = png_header(data)
    idat_len, kind = struct.unpack(">I4s", data[33:41])
    assert kind == b"IDAT"
    raw = zlib.decompress(data[41 : 41 + idat_len])
    assert len(raw) == height * (1 + 3 * width)
    assert data.endswith(b"IEND\xaeB`\x82")


def test_file_values_are_valid_pdfs(catalogue: Catalogue) -> None:
    paths = [p for p in catalogue.image_paths() if p.endswith(".pdf")]
    assert paths
    data = catalogue.image_bytes(paths[0])
    assert data is not None and data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    startxref = int(data.rsplit(b"startxref", 1)[1].split()[0])
    assert data[startxref:].startswith(b"xref")
    entries = data[startxref:].split(b"\n")[3:8]
    for number, entry in enumerate(entries, 1):
        offset = int(entry.split()[0])
        assert data[offset:].startswith(f"{number} 0 obj".encode())


def test_unknown_media_paths_have_no_bytes(catalogue: Catalogue) -> None:
    assert catalogue.image_bytes("product/999999/image/nope.png") is None


def test_without_images_no_media_values() -> None:
    cat = generate_catalogue(20, seed=2, images=False)
    media = {"image", "gallery", "size_chart"}
    assert cat.image_paths() == []
    assert all(not media & set(p["values"]["common"]) for p in every_product(cat))


# -- scale ------------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("UNOPIM_SLOW") != "1", reason="set UNOPIM_SLOW=1 to run the 100k test")
def test_one_hundred_thousand_products_generate() -> None:
    # How long it takes is the benchmarks' business (benchmarks/pull.py generates catalogues this size).
    cat = generate_catalogue(100_000, seed=1)
    counts = cat.counts()
    assert counts["products"] + counts["configurable_products"] == 100_000
    assert counts["variants"] == counts["configurable_products"] * 4
    last = cat.products[-1]
    assert cat.image_bytes(last["values"]["common"]["image"]) is not None

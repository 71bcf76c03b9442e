"""Pure checks behind the reliability cases: amounts a store would misread, variants without axis values,
category loops; what an address may not carry."""

from __future__ import annotations

import pytest

from unopim_desktop.clients.addresses import field_problem, has_control, idna_ok, shown, split, text_problem
from unopim_desktop.domain import StorePrice, StoreVariant
from unopim_desktop.sync.pull.checks import category_loops, missing_axes, price_problem, prices_problem


@pytest.mark.parametrize(("regular", "sale", "problem"), [
    ("12.50", "", None),
    ("0", "9", None),
    ("", "", None),
    ("12,50", "", "its price “12,50” USD is not an amount with a dot for decimals (the store would read another "
                  "price); correct it in UnoPim"),
    ("1,250.00", "", "its price “1,250.00” USD is not an amount with a dot for decimals (the store would read "
                     "another price); correct it in UnoPim"),
    ("-5.00", "", "its price -5.00 USD is negative; correct it in UnoPim"),
    ("10", "-1", "its sale price -1 USD is negative; correct it in UnoPim"),
    ("1e3", "", "its price “1e3” USD is not an amount with a dot for decimals (the store would read another "
                "price); correct it in UnoPim"),
])
def test_price_problem(regular, sale, problem):
    assert price_problem(regular, sale, "USD") == problem


def test_prices_problem_looks_at_every_currency():
    variant = StoreVariant(sku="V", regular_price="10.00", prices={"EUR": StorePrice("9.00", ""),
                                                                   "GBP": StorePrice("8,50", "")})
    assert prices_problem(variant, "USD") == ("its price “8,50” GBP is not an amount with a dot for decimals (the "
                                              "store would read another price); correct it in UnoPim")
    variant.prices["GBP"] = StorePrice("8.50", "")
    assert prices_problem(variant, "USD") is None
    variant.regular_price = "-1"
    assert prices_problem(variant, "USD") == "its price -1 USD is negative; correct it in UnoPim"


def test_missing_axes():
    variant = {"values": {"common": {"color": "red", "size": ""}}}
    assert missing_axes(variant, ["color", "size"]) == ["size"]
    assert missing_axes({"values": {}}, ["color"]) == ["color"]
    assert missing_axes(variant, []) == []


def test_category_loops_name_the_loop_and_what_hangs_under_it():
    cats = {"root": {"parent": None}, "a": {"parent": "b"}, "b": {"parent": "a"}, "c": {"parent": "a"},
            "d": {"parent": "root"}, "self": {"parent": "self"}}
    assert category_loops(cats) == {"a": "a → b → a", "b": "b → a → b", "c": "a → b → a", "self": "self → self"}


def test_addresses():
    assert has_control("a\tb") and has_control("a\u0085b") and not has_control("bücher")
    assert shown("x" * 10) == "x" * 10 and shown("x" * 100) == "x" * 79 + "… (100 characters)"
    assert idna_ok("bücher.example") and idna_ok("pim.example.com.") and idna_ok("a_b.example.com")
    assert not idna_ok("xn--zz.example.com") and not idna_ok("münchen-.example")
    assert text_problem("https://pim.example.com", "E") is None
    assert text_problem("https://x\ny", "E").startswith("The address contains a line break")
    assert field_problem("Label", "Shop", 100) is None
    assert field_problem("Label", "x" * 101, 100) == "Label is 101 characters long; at most 100 are allowed."
    with pytest.raises(ValueError, match=r"has a \[ or \] that is not closed"):
        split("https://[::1")

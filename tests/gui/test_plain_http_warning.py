"""A store reached over plain http:// (not this computer) is warned about where the merchant types and sees
its address: under the field of the store form, and in the store list."""

from __future__ import annotations

import pytest

from unopim_desktop.app.stores import PLAIN_HTTP_WARNING
from unopim_desktop.domain import StoreRow
from unopim_desktop.stores.registry import KINDS
from unopim_desktop.ui.widgets.store_form import StoreFormWidget
from unopim_desktop.ui.widgets.store_table import StoreTable


@pytest.mark.parametrize(("typed", "warned"), [
    ("http://shop.example.com", True),
    ("HTTP://192.168.1.20:8080/shop", True),
    ("https://shop.example.com", False),
    ("http://127.0.0.1:8080", False),
    ("http://localhost/shop", False),
    ("http://[::1]:8080", False),
], ids=["plain-http", "lan-address", "https", "loopback", "localhost", "ipv6-loopback"])
def test_the_store_form_warns_about_plain_http(qtbot, typed, warned):
    form = StoreFormWidget(dict(KINDS))
    qtbot.addWidget(form)
    form.open_new("woocommerce")
    form.show()
    qtbot.keyClicks(form.url, typed)
    assert form.http_warning.isVisible() is warned
    assert form.http_warning.text() == (f"⚠ {PLAIN_HTTP_WARNING}" if warned else "")
    form.url.clear()
    assert not form.http_warning.isVisible()


def test_an_edited_plain_http_store_is_warned_about_when_the_form_opens(qtbot):
    form = StoreFormWidget(dict(KINDS))
    qtbot.addWidget(form)
    form.open_edit(StoreRow(id=1, label="Old shop", kind="woocommerce", url="http://old.example.com", key="ck_1",
                            wp_user="", active=True, default_currency="EUR", default_locale="en_US", info={}))
    assert form.http_warning.isVisible() and PLAIN_HTTP_WARNING in form.http_warning.text()


def test_the_store_list_marks_a_plain_http_store(qtbot):
    table = StoreTable({"woocommerce": "WooCommerce"})
    qtbot.addWidget(table)
    rows = [StoreRow(id=n, label=label, kind="woocommerce", url=url, key="ck", wp_user="", active=True,
                     default_currency="EUR", default_locale="en_US", info={})
            for n, (label, url) in enumerate([("Plain", "http://shop.example.com"),
                                              ("Secure", "https://shop.example.com")], start=1)]
    table.fill(rows)
    plain, secure = table.item(0, 2), table.item(1, 2)
    assert (plain.text(), plain.toolTip()) == ("⚠ http://shop.example.com (not encrypted)", PLAIN_HTTP_WARNING)
    assert (secure.text(), secure.toolTip()) == ("https://shop.example.com", "")

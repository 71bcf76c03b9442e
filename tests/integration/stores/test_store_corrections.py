"""The store adapters against sandboxes that behave as the real stores do where the early notes were wrong
(store-apis.md, Corrections): listings whose order has no tie-break, WooCommerce's answer to a taken
attribute slug, BigCommerce's category trees, name limit, variant batch errors and write answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.integration.stores.test_bigcommerce_adapter import Big
from tests.integration.stores.test_bigcommerce_adapter import _start as start_big
from tests.integration.stores.test_woocommerce_adapter import Woo
from tests.integration.stores.test_woocommerce_adapter import _start as start_woo
from unopim_desktop.domain import StoreAttribute, StoreProduct, StoreTerm


@pytest.fixture
def woo() -> Iterator[Woo]:
    running, server = start_woo()
    yield running
    server.stop()


@pytest.fixture
def big() -> Iterator[Big]:
    running, server = start_big()
    yield running
    server.stop()


def _products(n: int) -> list[StoreProduct]:
    return [StoreProduct(sku=f"TIE-{i:03d}", name=f"Tie {i}", regular_price="5.00", weight="1") for i in range(n)]


async def test_a_woocommerce_delta_listing_is_stable_when_products_share_a_second(woo: Woo) -> None:
    async with woo.adapter() as adapter:
        made = await adapter.upsert_products(_products(23))
        assert all(r.ok for r in made.created)
        same = dt.datetime(2031, 1, 1, 12, 0, 0)  # a bulk import: every product saved in the same second
        with woo.state.lock:
            for record in woo.state.product_records.values():
                record["date_modified"] = same
            woo.state.changed()
        woo.state.shuffle_ties = True  # MySQL may order equal `post_modified` rows differently per page query
        seen = [p.sku async for page in adapter.iter_products(modified_after=same - dt.timedelta(hours=1),
                                                              page_size=5) for p in page]
    assert sorted(seen) == sorted(p.sku for p in _products(23))  # none skipped, none twice


async def test_a_bigcommerce_delta_listing_is_stable_when_products_share_a_second(big: Big) -> None:
    async with big.adapter() as adapter:
        made = await adapter.upsert_products(_products(23))
        assert all(r.ok for r in made.created), [r.error for r in made.created]
        same = dt.datetime(2031, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
        with big.state.lock:
            for record in big.state.products_by_id.values():
                record["date_modified"] = same
        big.state.shuffle_ties = True
        seen = [p.sku async for page in adapter.iter_products(modified_after=(same - dt.timedelta(hours=1))
                                                              .replace(tzinfo=None), page_size=5) for p in page]
    assert sorted(seen) == sorted(p.sku for p in _products(23))


async def test_a_woocommerce_attribute_whose_slug_is_taken_is_adopted(woo: Woo) -> None:
    """WooCommerce answers a taken slug with `woocommerce_rest_cannot_create` ("Slug … is already in use"):
    the REST controller wraps every `wc_create_attribute` error so; the attribute there is adopted."""
    async with woo.adapter() as adapter:
        response = await adapter.send("POST", "wc/v3/products/attributes", json_body={"name": "EU size",
                                                                                      "slug": "size-eu"})
        existing = response.json()
        # WooCommerce sanitizes "size eu" into "size-eu": not the slug this client compared, but the same.
        wanted = StoreAttribute(name="Size (EU)", slug="size eu", terms=[StoreTerm(name="42")])
        result = await adapter.upsert_attributes([wanted])
    answer = next(r for r in (*result.created, *result.updated) if r.key == "Size (EU)")
    assert answer.ok and answer.store_id == existing["id"], answer
    assert [t.name for t in woo.state.terms.values() if t.taxonomy == f"pa:{existing['id']}"] == ["42"]

"""The store adapters against sandboxes that behave as the real stores do where the early notes were wrong
(store-apis.md, Corrections): listings whose order has no tie-break, WooCommerce's answer to a taken
attribute slug, BigCommerce's category trees, name limit, variant batch errors and write answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.integration.stores import media_host
from tests.integration.stores.test_bigcommerce_adapter import Big
from tests.integration.stores.test_bigcommerce_adapter import _start as start_big
from tests.integration.stores.test_woocommerce_adapter import Woo
from tests.integration.stores.test_woocommerce_adapter import _start as start_woo
from unopim_desktop.domain import (
    StoreAttribute,
    StoreCategory,
    StoreImage,
    StoreProduct,
    StoreTerm,
    StoreVariant,
)


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


async def test_bigcommerce_category_adoption_stays_in_the_channels_tree(big: Big) -> None:
    """`GET /catalog/trees/categories` returns every tree unless `tree_id:in` is given: a category of the
    same name in another storefront's tree is not this channel's."""
    big.state.trees[2] = {"id": 2, "name": "Second storefront", "channels": [2]}
    async with big.adapter() as adapter:
        other = await adapter.write_json("POST", "v3/catalog/trees/categories",
                                         [{"name": "Shoes", "tree_id": 2, "parent_id": 0}])
        other_id = other["data"][0]["category_id"]
        result = await adapter.upsert_categories([StoreCategory(name="Shoes", slug="shoes")])
        listed = await adapter.list_categories()
    made = result.created[0]
    assert made.ok and made.store_id != other_id
    assert big.state.categories_by_id[made.store_id]["tree_id"] == 1
    assert other_id not in {c.store_id for c in listed}


async def test_a_bigcommerce_category_name_over_50_characters_is_shortened_not_refused(big: Big) -> None:
    name = "Outdoor and camping equipment for the whole family, all seasons"
    async with big.adapter() as adapter:
        result = await adapter.upsert_categories([StoreCategory(name=name, slug="outdoor")])
        again = await adapter.upsert_categories([StoreCategory(name=name, slug="outdoor")])  # adopted, not doubled
    made = result.created[0]
    assert made.ok, made.error
    assert big.state.categories_by_id[made.store_id]["name"] == name[:50].rstrip()
    assert "50" in made.note and "shortened" in made.note
    assert (again.created or again.updated)[0].store_id == made.store_id


async def test_bigcommerce_variant_batch_errors_are_shown(big: Big) -> None:
    async with big.adapter() as adapter:
        product = StoreProduct(sku="TEE", name="Tee", type="variable", regular_price="5", weight="1")
        made = await adapter.upsert_products([product])
        pid = made.created[0].store_id
        variants = [StoreVariant(sku=f"TEE-{c}", regular_price="5", axes={"Color": c}) for c in ("Red", "Blue")]
        created = await adapter.upsert_variants(pid, variants)
        red, blue = (r.store_id for r in created.created)
        # Red takes Blue's SKU: PUT /catalog/variants answers 422 {"batch_errors": [...]}.
        result = await adapter.upsert_variants(pid, [StoreVariant(sku="TEE-Blue", store_id=red, regular_price="6",
                                                                  axes={"Color": "Red"})])
    assert blue
    failed = result.updated[0]
    assert not failed.ok and "The variant sku is a duplicate" in failed.error, failed


async def test_bigcommerce_image_ids_are_read_back_after_a_write_that_carried_images(big: Big) -> None:
    """createProduct and updateProducts take `include_fields`, not `include=images`: the answer has no
    images, so the ids are read afterwards (the next push must know these pictures are UnoPim's)."""
    server = media_host()
    try:
        async with big.adapter() as adapter:
            made = await adapter.upsert_products([StoreProduct(sku="PIC", name="Pic", regular_price="5", weight="1")])
            pid = made.created[0].store_id
            images = [StoreImage(src=f"{server.url}/img/a.png", position=0),
                      StoreImage(src=f"{server.url}/img/b.png", position=1)]
            result = await adapter.set_product_images([("PIC", pid, images)])
    finally:
        server.stop()
    saved = result.updated[0]
    assert saved.ok, saved.error
    assert sorted(saved.image_ids) == sorted(big.state.image_ids[pid]) and len(saved.image_ids) == 2

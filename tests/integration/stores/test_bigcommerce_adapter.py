"""The BigCommerce adapter against the BigCommerce sandbox: verification, reads, writes, quota pacing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.integration.stores import closed_port_url, media_host
from unopim_desktop.domain import (
    StoreCategory,
    StoreConnection,
    StoreImage,
    StoreProduct,
    StoreVariant,
)
from unopim_desktop.sandbox.bigcommerce import create_bigcommerce_app
from unopim_desktop.sandbox.bigcommerce.state import BigCommerceState
from unopim_desktop.sandbox.server import ServerThread
from unopim_desktop.sandbox.stats import RequestStats
from unopim_desktop.stores.base import StoreVerificationError
from unopim_desktop.stores.bigcommerce.adapter import BigCommerceAdapter
from unopim_desktop.stores.registry import explain_store_error, is_duplicate_sku, make_adapter

PRODUCTS = "/stores/{store_hash}/v3/catalog/products"
VARIANTS = "/stores/{store_hash}/v3/catalog/variants"
PRODUCTS_SCOPE, PRODUCTS_READ = "store_v2_products", "store_v2_products_read_only"
INFO_READ = "store_v2_information_read_only"


@dataclass
class Big:
    state: BigCommerceState
    stats: RequestStats
    url: str

    @property
    def api_url(self) -> str:
        return self.url + self.state.credentials["api_url_path"]

    def connection(self, **overrides: object) -> StoreConnection:
        fields: dict[str, object] = {"kind": "bigcommerce", "label": "Big", "url": self.api_url,
                                     "access_token": self.state.credentials["access_token"]}
        fields.update(overrides)
        return StoreConnection(**fields)  # type: ignore[arg-type]

    def adapter(self, **overrides: object) -> BigCommerceAdapter:
        return BigCommerceAdapter(self.connection(**overrides))


def _start(**state_kw: object) -> tuple[Big, ServerThread]:
    state, stats = BigCommerceState(**state_kw), RequestStats()  # type: ignore[arg-type]
    server = ServerThread(create_bigcommerce_app(state, stats=stats), name="bigcommerce").start()
    return Big(state, stats, server.url), server


@pytest.fixture
def big() -> Iterator[Big]:
    running, server = _start()
    yield running
    server.stop()


@pytest.fixture(scope="module")
def media() -> Iterator[str]:
    server = media_host()
    yield server.url
    server.stop()


async def _verify_error(connection: StoreConnection) -> StoreVerificationError:
    async with BigCommerceAdapter(connection) as adapter:
        with pytest.raises(StoreVerificationError) as caught:
            await adapter.verify()
    return caught.value


# --- verification -----------------------------------------------------------------------------------


async def test_verify_reads_store_facts(big: Big) -> None:
    async with make_adapter(big.connection()) as adapter:
        info = await adapter.verify()
    assert info.can_write and info.currency == "USD" and info.locale == "en"
    assert info.name and info.product_count == 0
    assert big.state.counts()["products"] == 0  # the write probe changed nothing


async def test_bad_api_url_is_refused_before_any_request(big: Big) -> None:
    error = await _verify_error(big.connection(url=f"{big.url}/v3/catalog/"))
    assert error.code == "bad_api_url" and "/stores/<store-hash>/" in error.fix
    assert big.stats.total() == 0


async def test_unknown_store_hash(big: Big) -> None:
    error = await _verify_error(big.connection(url=f"{big.url}/stores/nosuchstore/"))
    assert error.code == "store_not_found"


async def test_wrong_token(big: Big) -> None:
    error = await _verify_error(big.connection(access_token="not-a-token-at-all"))
    assert error.code == "bad_token" and error.status == 401
    reason, fix = explain_store_error("bigcommerce", error)
    assert "not-a-token" not in reason + fix


async def test_token_without_products_modify_scope(big: Big) -> None:
    big.state.add_token("read-only-token", [PRODUCTS_READ, INFO_READ])
    error = await _verify_error(big.connection(access_token="read-only-token"))
    assert error.code == "missing_scope" and "Products (modify)" in error.reason and error.status == 403
    async with BigCommerceAdapter(big.connection(access_token="read-only-token"), require_write=False) as adapter:
        info = await adapter.verify()
    assert info.can_write is False


async def test_token_without_products_scope(big: Big) -> None:
    big.state.add_token("info-only-token", [INFO_READ])
    error = await _verify_error(big.connection(access_token="info-only-token"))
    assert error.code == "missing_scope" and "Products" in error.reason


async def test_token_without_information_scope_still_verifies(big: Big) -> None:
    big.state.add_token("products-only-token", [PRODUCTS_SCOPE])
    async with big.adapter(access_token="products-only-token") as adapter:
        info = await adapter.verify()
    assert info.can_write and info.currency == "" and any("Information" in n for n in info.notes)


async def test_server_down() -> None:
    connection = StoreConnection("bigcommerce", "Big", closed_port_url() + "/stores/abc/", access_token="t")
    error = await _verify_error(connection)
    assert error.code == "unreachable"


# --- products ---------------------------------------------------------------------------------------


def _products(media: str, n: int = 3) -> list[StoreProduct]:
    return [
        StoreProduct(
            sku=f"MUG-{i}", name=f"Mug {i}", regular_price=f"{10 + i}.25", weight="0.4", stock_quantity=5 + i,
            tags=["kitchen", "gift"], images=[StoreImage(src=f"{media}/img/mug-{i}.png", alt="front")],
            meta={"unopim_code": f"mug_{i}"},
        )
        for i in range(n)
    ]


async def test_products_round_trip_without_duplicates(big: Big, media: str) -> None:
    async with big.adapter() as adapter:
        created = await adapter.upsert_products(_products(media))
        assert not created.failed
        ids = {r.key: r.store_id for r in created.created}
        assert all(r.image_ids for r in created.created)

        again = _products(media)
        for p in again:
            p.store_id = ids[p.sku]
            p.images = []  # already in the store
            p.meta = {"unopim_code": p.meta["unopim_code"] + "_v2"}
            p.regular_price = "20"
        updated = await adapter.upsert_products(again)
        assert not updated.failed and {r.store_id for r in updated.updated} == set(ids.values())

        listed = [p async for page in adapter.iter_products() for p in page]
        assert sorted(p.sku for p in listed) == ["MUG-0", "MUG-1", "MUG-2"]
        mug = await adapter.get_product(ids["MUG-1"])
        assert mug is not None and mug.regular_price == "20" and mug.extra["search_keywords"] == ["kitchen", "gift"]
        assert mug.meta == {"unopim_code": "mug_1_v2"}  # the custom field was updated, not added again
        assert len(mug.images) == 1 and mug.stock_quantity == 6
        found = await adapter.find_products_by_sku(["mug-0", "MUG-2", "NONE"])
        assert {k: v.store_id for k, v in found.items()} == {"mug-0": ids["MUG-0"], "MUG-2": ids["MUG-2"]}
        assert await adapter.get_product(999_999) is None


async def test_duplicate_sku_is_a_per_item_error_with_the_holder(big: Big) -> None:
    async with big.adapter() as adapter:
        first = await adapter.upsert_products([StoreProduct(sku="DUP", name="Original")])
        holder = first.created[0].store_id
        result = await adapter.upsert_products(
            [StoreProduct(sku="DUP", name="Copy"), StoreProduct(sku="FINE", name="Fine")]
        )
    by_key = {r.key: r for r in result.created}
    assert is_duplicate_sku(by_key["DUP"]) and by_key["DUP"].store_id == holder and by_key["DUP"].status == 409
    assert by_key["FINE"].ok


async def test_updates_are_batched_by_ten(big: Big) -> None:
    async with big.adapter() as adapter:
        created = await adapter.upsert_products([StoreProduct(sku=f"U-{i}", name=f"U {i}") for i in range(25)])
        assert not created.failed and big.stats.count("POST", PRODUCTS) == 25  # no batch create
        updates = [StoreProduct(sku=r.key, name=f"{r.key} renamed", store_id=r.store_id) for r in created.created]
        result = await adapter.upsert_products(updates)
    assert not result.failed and len(result.updated) == 25
    assert big.stats.count("PUT", PRODUCTS) == 3  # 10 + 10 + 5


async def test_variants_create_options_then_update(big: Big, media: str) -> None:
    async with big.adapter() as adapter:
        parent = (await adapter.upsert_products([StoreProduct(sku="TOWEL", name="Towel", regular_price="12")]))
        product_id = parent.created[0].store_id or 0
        variants = [
            StoreVariant(sku="TOWEL-BEIGE-S", regular_price="12", axes={"Color": "Beige", "Size": "S"},
                         image=StoreImage(src=f"{media}/img/towel-beige.png")),
            StoreVariant(sku="TOWEL-GREY-M", regular_price="14", axes={"Color": "Grey", "Size": "M"}),
        ]
        made = await adapter.upsert_variants(product_id, variants)
        assert not made.failed, made.failed
        listed = {v.sku: v for v in await adapter.list_variants(product_id)}
        assert listed["TOWEL-GREY-M"].axes == {"Color": "Grey", "Size": "M"}
        assert listed["TOWEL-BEIGE-S"].image is not None

        more = [StoreVariant(sku="TOWEL-GREY-S", regular_price="13", axes={"Color": "Grey", "Size": "S"})]
        listed["TOWEL-GREY-M"].regular_price = "15"
        second = await adapter.upsert_variants(product_id, [listed["TOWEL-GREY-M"], *more])
        assert not second.failed
        after = {v.sku: v for v in await adapter.list_variants(product_id)}
        assert len(after) == 3 and after["TOWEL-GREY-M"].regular_price == "15"
        assert big.stats.count("PUT", VARIANTS) == 1

        options = {a.name: sorted(t.name for t in a.terms) for a in await adapter.list_attributes()}
        assert options == {"Color": ["Beige", "Grey"], "Size": ["M", "S"]}
        found = await adapter.find_products_by_sku(["TOWEL-GREY-S"])
        assert found["TOWEL-GREY-S"].type == "variation" and found["TOWEL-GREY-S"].parent_store_id == product_id
        product = await adapter.get_product(product_id)
        assert product is not None and product.type == "variable" and len(product.variants) == 3
        assert (await adapter.upsert_attributes([])).updated == [] and await adapter.list_tags() == []


async def test_categories_parents_first_and_adopted_on_rerun(big: Big) -> None:
    tree = [StoreCategory(name="Towels", slug="towels", parent_key="bath"), StoreCategory(name="Bath", slug="bath")]
    async with big.adapter() as adapter:
        first = await adapter.upsert_categories(tree)
        assert not first.failed
        ids = {r.key: r.store_id for r in first.created}
        listed = {c.name: c for c in await adapter.list_categories()}
        assert listed["Towels"].parent_store_id == ids["bath"]
        second = await adapter.upsert_categories(tree)
        assert not second.failed and {r.key: r.store_id for r in second.updated} == ids
        assert len(await adapter.list_categories()) == len(listed)


async def test_delete_hides_without_force_and_deletes_with_force(big: Big) -> None:
    async with big.adapter() as adapter:
        made = await adapter.upsert_products([StoreProduct(sku="D1", name="D1"), StoreProduct(sku="D2", name="D2")])
        one, two = (r.store_id or 0 for r in made.created)
        hidden = await adapter.delete_products([one], force=False)
        assert hidden.deleted[0].ok and "no trash" in hidden.deleted[0].note
        product = await adapter.get_product(one)
        assert product is not None and product.status == "draft"
        gone = await adapter.delete_products([two], force=True)
        assert gone.deleted[0].ok and await adapter.get_product(two) is None


async def test_pacing_keeps_within_a_small_quota() -> None:
    running, server = _start(rate_limit=20, rate_window_s=1.0)
    try:
        async with running.adapter() as adapter:
            await asyncio.gather(*(adapter.get_product(i) for i in range(45)))
            assert adapter.pacer.waits >= 1
    finally:
        server.stop()
    assert running.stats.status_count(429) == 0
    assert running.stats.count("GET", PRODUCTS + "/{product_id}") == 45


async def test_recovers_from_a_429_when_another_app_spent_the_quota() -> None:
    running, server = _start(rate_limit=5, rate_window_s=1.0)
    try:
        import httpx

        headers = {"X-Auth-Token": running.state.credentials["access_token"]}
        with httpx.Client(base_url=running.api_url, headers=headers) as other_app:
            for _ in range(5):
                other_app.get("v3/catalog/summary")
        async with running.adapter() as adapter:
            assert await adapter.get_product(1) is None  # answered after waiting out the window
    finally:
        server.stop()
    assert running.stats.status_count(429) == 1


async def test_incremental_listing_by_modification_date(big: Big) -> None:
    import datetime as dt

    async with big.adapter() as adapter:
        await adapter.upsert_products([StoreProduct(sku="N-1", name="N1"), StoreProduct(sku="N-2", name="N2")])
        now = dt.datetime.now(dt.UTC)
        recent = [p async for page in adapter.iter_products(modified_after=now - dt.timedelta(hours=1)) for p in page]
        later = [p async for page in adapter.iter_products(modified_after=now + dt.timedelta(hours=1)) for p in page]
    assert sorted(p.sku for p in recent) == ["N-1", "N-2"] and later == []
    assert all(p.date_modified_gmt for p in recent)


async def test_a_product_is_saved_without_an_image_the_store_cannot_fetch(big: Big, media: str) -> None:
    products = [StoreProduct(sku="IMG-BAD", name="Broken", images=[StoreImage(src=f"{media}/nowhere/x.png")])]
    async with big.adapter() as adapter:
        result = await adapter.upsert_products(products)
        saved = result.created[0]
        assert saved.ok and saved.image_error and saved.image_ids == []
        product = await adapter.get_product(saved.store_id or 0)
    assert product is not None and product.images == []


async def test_variants_of_a_missing_product_fail_per_item(big: Big) -> None:
    async with big.adapter() as adapter:
        result = await adapter.upsert_variants(424242, [StoreVariant(sku="GHOST", axes={"Color": "Red"})])
    assert result.failed and result.created[0].error_code == "parent_missing"


async def test_many_unknown_skus_cost_a_scan_not_a_call_each(big: Big) -> None:
    async with big.adapter() as adapter:
        product_id = (await adapter.upsert_products([StoreProduct(sku="P", name="P")])).created[0].store_id or 0
        await adapter.upsert_variants(product_id, [StoreVariant(sku="P-RED", axes={"Color": "Red"})])
        big.stats.reset()
        found = await adapter.find_products_by_sku(["P-RED", *(f"NEW-{i}" for i in range(20))])
    assert found["P-RED"].type == "variation" and found["P-RED"].parent_store_id == product_id
    assert big.stats.count("GET", VARIANTS) == 1  # one page of all variants instead of 21 look-ups


async def test_has_products_tells_an_empty_store_from_a_filled_one(big: Big, media: str) -> None:
    async with big.adapter() as adapter:
        assert await adapter.has_products() is False
        created = await adapter.upsert_products(_products(media, n=1))
        assert not created.failed
        assert await adapter.has_products() is True


# --- names, inline creates, batches across products, brands (#13) ------------------------------------------


async def test_a_name_clash_is_saved_with_the_sku_suffix_and_updates_keep_it(big: Big) -> None:
    async with big.adapter() as adapter:
        assert not (await adapter.upsert_products([StoreProduct(sku="MUG-A", name="Mug")])).failed
    async with big.adapter() as adapter:  # knows nothing of the first: BigCommerce answers 409
        made = await adapter.upsert_products([StoreProduct(sku="MUG-B", name="Mug")])
    r = made.created[0]
    assert r.ok and "“Mug (MUG-B)”" in r.note
    assert big.state.products_by_id[r.store_id]["name"] == "Mug (MUG-B)"
    assert big.stats.status_count(409) == 1
    async with big.adapter() as adapter:
        read = await adapter.get_product(r.store_id or 0)
        assert read is not None and read.name == "Mug"  # the suffix is the store's, not the product's
        read.regular_price = "9"
        updated = await adapter.upsert_products([read])  # it read the product: the suffix is kept at once
    assert not updated.failed and big.state.products_by_id[r.store_id]["name"] == "Mug (MUG-B)"
    assert big.stats.status_count(409) == 1
    async with big.adapter() as adapter:  # has not read it: the clash comes back, and the suffix with it
        again = await adapter.upsert_products([StoreProduct(sku="MUG-B", name="Mug", store_id=r.store_id,
                                                            regular_price="10")])
    assert not again.failed and big.state.products_by_id[r.store_id]["name"] == "Mug (MUG-B)"
    assert big.state.products_by_id[r.store_id]["price"] == 10


async def test_a_product_is_created_with_its_variants_and_images_in_one_request(big: Big, media: str) -> None:
    variants = [StoreVariant(sku=f"TEE-{c}-{s}", regular_price="12" if s == "S" else "",
                             axes={"Color": c, "Size": s}, image=StoreImage(src=f"{media}/img/{c}.png"))
                for c in ("Red", "Blue") for s in ("S", "M")]
    product = StoreProduct(sku="TEE", name="Tee", type="variable", regular_price="10", variants=variants,
                           images=[StoreImage(src=f"{media}/img/tee.png")], meta={"Material": "Cotton"})
    async with big.adapter() as adapter:
        result = await adapter.upsert_products([product])
    r = result.created[0]
    assert r.ok and len(r.image_ids) == 1
    assert {v.key: bool(v.store_id and v.image_urls) for v in r.variants} == {v.sku: True for v in variants}
    assert big.stats.count("POST", PRODUCTS) == 1 and big.stats.count("GET", PRODUCTS) == 1  # ids read back
    assert not [route for route in big.stats.snapshot()["by_route"] if "options" in route or "{product_id}" in route]
    stored = big.state.product_by_sku("TEE")
    assert stored is not None and [o["display_name"] for o in stored["options"]] == ["Color", "Size"]
    assert stored["custom_fields"][0]["value"] == "Cotton"


async def test_variants_refused_with_their_product_leave_it_created_without_them(big: Big) -> None:
    async with big.adapter() as adapter:
        await adapter.upsert_products([StoreProduct(sku="TAKEN", name="Holder")])
        product = StoreProduct(sku="CAP", name="Cap", type="variable",
                               variants=[StoreVariant(sku="TAKEN", axes={"Size": "S"})])
        result = await adapter.upsert_products([product])
    r = result.created[0]
    assert r.ok and not r.variants and "created without them" in r.note
    assert big.state.product_by_sku("CAP") is not None


async def test_a_batch_update_with_one_bad_item_saves_the_others_207(big: Big) -> None:
    async with big.adapter() as adapter:
        made = await adapter.upsert_products([StoreProduct(sku=f"P-{i}", name=f"P {i}") for i in range(3)])
        ids = {r.key: r.store_id for r in made.created}
        updates = [StoreProduct(sku="P-0", name="P 0 renamed", store_id=ids["P-0"]),
                   StoreProduct(sku="P-2", name="P 1", store_id=ids["P-1"] + 9999),  # gone from the store
                   StoreProduct(sku="P-2", name="P 2 renamed", store_id=ids["P-2"])]
        result = await adapter.upsert_products(updates)
    assert big.stats.status_count(207) == 1
    oks = [r for r in result.updated if r.ok]
    assert {r.store_id for r in oks} == {ids["P-0"], ids["P-2"]} and len(result.failed) == 1
    assert big.state.products_by_id[ids["P-2"]]["name"] == "P 2 renamed"


async def test_variant_writes_and_reads_of_several_products_share_requests(big: Big) -> None:
    async with big.adapter() as adapter:
        products = [StoreProduct(sku=f"S{n}", name=f"Shirt {n}", type="variable",
                                 variants=[StoreVariant(sku=f"S{n}-{i}", axes={"Size": str(i)}) for i in range(20)])
                    for n in range(3)]
        made = (await adapter.upsert_products(products)).created
        assert all(len(r.variants) == 20 for r in made)
        big.stats.reset()
        listed = await asyncio.gather(*(adapter.list_variants(r.store_id or 0) for r in made))
        assert [len(v) for v in listed] == [20, 20, 20] and big.stats.count("GET", VARIANTS) == 1
        for variants in listed:
            for v in variants:
                v.regular_price = "7"
        results = await asyncio.gather(*(adapter.upsert_variants(r.store_id or 0, v) for r, v in zip(made, listed,
                                                                                                  strict=True)))
    assert all(not r.failed and len(r.updated) == 20 for r in results)
    assert big.stats.count("PUT", VARIANTS) == 2  # 60 variants: 50 + 10, never 413
    assert big.stats.status_count(413) == 0


async def test_a_brand_is_created_by_name_once_and_read_back_by_name(big: Big) -> None:
    async with big.adapter() as adapter:
        # One after the other: two creates in flight at once race for the brand, and either spelling may win.
        first = await adapter.upsert_products([StoreProduct(sku="B-1", name="B 1", extra={"brand": "Acme"})])
        made = await adapter.upsert_products([StoreProduct(sku="B-2", name="B 2", extra={"brand": "acme"})])
        assert not first.failed and not made.failed
        assert [b["name"] for b in big.state.brands_by_id.values()] == ["Acme"]
        read = await adapter.get_product(made.created[0].store_id or 0)
        assert read is not None and read.extra["brand"] == "Acme"
        assert [t.name for t in await adapter.field_terms("brand")] == ["Acme"]
        read.extra = {"brand": ""}
        assert not (await adapter.upsert_products([read])).failed
    assert big.state.products_by_id[made.created[0].store_id]["brand_id"] == 0


async def test_a_product_without_price_or_weight_gets_the_fields_bigcommerce_requires(big: Big) -> None:
    """name, type, weight and price are required on create, even when 0 (B5): a product UnoPim gives none of
    them is created with 0 and physical, not refused with 422 Missing Required Fields."""
    import httpx

    refused = httpx.post(big.api_url + "v3/catalog/products", json={"name": "Bare", "sku": "BARE-0"},
                         headers={"X-Auth-Token": big.state.credentials["access_token"]})
    assert refused.status_code == 422 and refused.json()["title"] == "Missing Required Fields"
    async with big.adapter() as adapter:
        made = await adapter.upsert_products([StoreProduct(sku="BARE", name="Bare")])
    assert not made.failed
    stored = big.state.product_by_sku("BARE")
    assert stored is not None and (stored["price"], stored["weight"], stored["type"]) == (0, 0, "physical")

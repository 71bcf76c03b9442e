"""The WooCommerce adapter against the WooCommerce sandbox: verification, reads, writes, batching."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.stores import closed_port_url, html_site, media_host
from unopim_desktop.domain import (
    ProductAttributeValue,
    StoreAttribute,
    StoreCategory,
    StoreConnection,
    StoreImage,
    StoreProduct,
    StoreTerm,
    StoreVariant,
)
from unopim_desktop.sandbox.server import ServerThread
from unopim_desktop.sandbox.stats import RequestStats
from unopim_desktop.sandbox.tls import make_self_signed_cert
from unopim_desktop.sandbox.woocommerce import WooState, create_woocommerce_app
from unopim_desktop.stores.base import StoreVerificationError
from unopim_desktop.stores.registry import explain_store_error, is_duplicate_sku, make_adapter
from unopim_desktop.stores.woocommerce.adapter import WooCommerceAdapter

BATCH = "/wp-json/wc/v3/products/batch"


@dataclass
class Woo:
    state: WooState
    stats: RequestStats
    url: str
    cert: str | bool = True

    def connection(self, **overrides: object) -> StoreConnection:
        fields: dict[str, object] = {
            "kind": "woocommerce", "label": "Woo", "url": self.url,
            "key": self.state.credentials["consumer_key"], "secret": self.state.credentials["consumer_secret"],
            "verify_tls": self.cert,
        }
        fields.update(overrides)
        return StoreConnection(**fields)  # type: ignore[arg-type]

    def adapter(self, **overrides: object) -> WooCommerceAdapter:
        return WooCommerceAdapter(self.connection(**overrides))


def _start(cert_dir: Path | None = None) -> tuple[Woo, ServerThread]:
    state, stats = WooState(), RequestStats()
    app = create_woocommerce_app(state, stats=stats)
    if cert_dir is None:
        server = ServerThread(app, name="woo").start()
        return Woo(state, stats, server.url), server
    cert, key = make_self_signed_cert(cert_dir)
    server = ServerThread(app, ssl_certfile=str(cert), ssl_keyfile=str(key), name="woo-tls").start()
    return Woo(state, stats, server.url, str(cert)), server


@pytest.fixture
def woo() -> Iterator[Woo]:
    running, server = _start()
    yield running
    server.stop()


@pytest.fixture
def woo_tls(tmp_path: Path) -> Iterator[Woo]:
    running, server = _start(tmp_path / "tls")
    yield running
    server.stop()


@pytest.fixture(scope="module")
def media() -> Iterator[str]:
    server = media_host()
    yield server.url
    server.stop()


async def _verify_error(connection: StoreConnection, **kw: object) -> StoreVerificationError:
    async with WooCommerceAdapter(connection, **kw) as adapter:  # type: ignore[arg-type]
        with pytest.raises(StoreVerificationError) as caught:
            await adapter.verify()
    return caught.value


# --- verification -----------------------------------------------------------------------------------


async def test_verify_over_plain_http_signs_with_oauth(woo: Woo) -> None:
    connection = woo.connection(wp_user=woo.state.wp_user, wp_app_password=woo.state.wp_app_password)
    async with make_adapter(connection) as adapter:
        info = await adapter.verify()
    assert info.can_write and info.currency == "USD" and info.version
    assert info.name == "UnoPim Sandbox Store"
    assert info.product_count == 0
    assert info.media_upload is True
    assert woo.stats.status_count(401) == 0


async def test_verify_over_https_uses_basic_auth(woo_tls: Woo) -> None:
    async with woo_tls.adapter() as adapter:
        info = await adapter.verify()
    assert info.can_write and info.currency == "USD"
    assert adapter.query_string_auth is False


async def test_unknown_key(woo: Woo, woo_tls: Woo) -> None:
    for running in (woo, woo_tls):
        error = await _verify_error(running.connection(key="ck_" + "0" * 40))
        assert error.code == "unknown_key", running.url
        assert "does not know this consumer key" in error.reason


async def test_wrong_secret(woo: Woo, woo_tls: Woo) -> None:
    wrong = "cs_" + "1" * 40
    for running in (woo, woo_tls):
        error = await _verify_error(running.connection(secret=wrong))
        assert error.code == "wrong_secret", running.url
        assert wrong not in str(error) and running.state.credentials["consumer_key"] not in str(error)


async def test_read_only_key(woo: Woo) -> None:
    ro = woo.state.read_only_credentials
    connection = woo.connection(key=ro["consumer_key"], secret=ro["consumer_secret"])
    error = await _verify_error(connection)
    assert error.code == "read_only_key" and "Read/Write" in error.fix
    async with WooCommerceAdapter(connection, require_write=False) as adapter:
        info = await adapter.verify()
    assert info.can_write is False


async def test_wrong_address_and_html_page(woo: Woo) -> None:
    error = await _verify_error(woo.connection(url=f"{woo.url}/blog"))
    assert error.code == "not_wordpress" and "Permalinks" in error.fix
    site = html_site()
    try:
        error = await _verify_error(woo.connection(url=site.url))
    finally:
        site.stop()
    assert error.code == "not_wordpress"


async def test_server_down() -> None:
    connection = StoreConnection("woocommerce", "Woo", closed_port_url(), key="ck_x", secret="cs_y")
    error = await _verify_error(connection)
    assert error.code == "unreachable" and error.status == 0


async def test_untrusted_certificate(woo_tls: Woo) -> None:
    error = await _verify_error(woo_tls.connection(verify_tls=True))
    assert error.code == "tls" and "certificate" in error.reason


async def test_wrong_application_password(woo: Woo) -> None:
    error = await _verify_error(woo.connection(wp_user=woo.state.wp_user, wp_app_password="nope nope nope"))
    assert error.code == "wp_password"
    reason, fix = explain_store_error("woocommerce", error)
    assert "application password" in reason and "nope nope" not in reason + fix


# --- products ---------------------------------------------------------------------------------------


def _products(media: str, n: int = 3) -> list[StoreProduct]:
    return [
        StoreProduct(
            sku=f"TEE-{i}", name=f"Tee {i}", regular_price=f"{10 + i}.50", stock_quantity=i, tags=["Summer"],
            images=[StoreImage(src=f"{media}/img/tee-{i}.png", alt=f"Tee {i}")], meta={"unopim_code": f"tee_{i}"},
        )
        for i in range(n)
    ]


async def test_products_round_trip_without_duplicates(woo: Woo, media: str) -> None:
    async with woo.adapter() as adapter:
        created = await adapter.upsert_products(_products(media))
        assert not created.failed and len(created.created) == 3
        ids = {r.key: r.store_id for r in created.created}
        assert all(r.image_ids for r in created.created)

        again = _products(media)
        for p, r in zip(again, created.created, strict=True):
            p.store_id = r.store_id
            p.images = [StoreImage(src="", store_id=r.image_ids[0])]  # known image: by id, no re-download
            p.regular_price = "99"
        updated = await adapter.upsert_products(again)
        assert not updated.failed and [r.store_id for r in updated.updated] == list(ids.values())

        listed = [p async for page in adapter.iter_products() for p in page]
        assert sorted(p.sku for p in listed) == ["TEE-0", "TEE-1", "TEE-2"]  # no duplicates
        one = await adapter.get_product(ids["TEE-1"])
        assert one is not None and one.regular_price == "99" and one.tags == ["Summer"]
        assert one.meta["unopim_code"] == "tee_1" and one.stock_quantity == 1
        assert len(one.images) == 1 and one.images[0].store_id == created.created[1].image_ids[0]
        found = await adapter.find_products_by_sku(["TEE-0", "TEE-2", "NOPE"])
        assert {k: v.store_id for k, v in found.items()} == {"TEE-0": ids["TEE-0"], "TEE-2": ids["TEE-2"]}
        assert await adapter.get_product(999_999) is None


async def test_incremental_listing_by_modification_date(woo: Woo, media: str) -> None:
    async with woo.adapter() as adapter:
        await adapter.upsert_products(_products(media, 2))
        now = dt.datetime.now(dt.UTC)
        recent = [p async for page in adapter.iter_products(modified_after=now - dt.timedelta(hours=1)) for p in page]
        later = [p async for page in adapter.iter_products(modified_after=now + dt.timedelta(hours=1)) for p in page]
    assert len(recent) == 2 and later == []


async def test_batch_chunking_and_per_item_errors(woo: Woo) -> None:
    products = [StoreProduct(sku=f"B-{i}", name=f"B {i}", regular_price="1") for i in range(150)]
    products[120].sku = "B-3"  # a duplicate SKU inside the run
    async with woo.adapter() as adapter:
        result = await adapter.upsert_products(products)
    assert woo.stats.count("POST", BATCH) == 2  # 100 + 50
    failed = result.failed
    assert len(failed) == 1 and failed[0].key == "B-3" and is_duplicate_sku(failed[0])
    first = next(r for r in result.created if r.key == "B-3" and r.ok)
    assert failed[0].store_id == first.store_id  # the holder, to adopt
    assert sum(1 for r in result.created if r.ok) == 149


async def test_variable_product_with_global_attribute_and_variations(woo: Woo, media: str) -> None:
    async with woo.adapter() as adapter:
        attrs = await adapter.upsert_attributes(
            [StoreAttribute("Color", terms=[StoreTerm("Black"), StoreTerm("Green")])]
        )
        color_id = next(r.store_id for r in attrs.created if r.key == "Color")
        parent = StoreProduct(
            sku="SHIP", name="Ship Your Idea", type="variable",
            attributes=[ProductAttributeValue("Color", ["Black", "Green"], store_id=color_id, variation=True),
                        ProductAttributeValue("Size", ["S", "M"], variation=True)],
        )
        parent_id = (await adapter.upsert_products([parent])).created[0].store_id
        assert parent_id
        variants = [
            StoreVariant(sku="SHIP-BS", regular_price="9.00", axes={"Color": "Black", "Size": "S"},
                         image=StoreImage(src=f"{media}/img/ship-black.png")),
            StoreVariant(sku="SHIP-GM", regular_price="9.50", axes={"Color": "Green", "Size": "M"}),
        ]
        made = await adapter.upsert_variants(parent_id, variants)
        assert not made.failed
        listed = {v.sku: v for v in await adapter.list_variants(parent_id)}
        assert listed["SHIP-BS"].axes == {"Color": "Black", "Size": "S"}
        assert listed["SHIP-BS"].image is not None and listed["SHIP-GM"].regular_price == "9.50"

        listed["SHIP-GM"].regular_price = "11"
        await adapter.upsert_variants(parent_id, [listed["SHIP-GM"]])
        again = {v.sku: v for v in await adapter.list_variants(parent_id)}
        assert len(again) == 2 and again["SHIP-GM"].regular_price == "11"

        found = await adapter.find_products_by_sku(["SHIP-GM"])
        assert found["SHIP-GM"].type == "variation" and found["SHIP-GM"].parent_store_id == parent_id
        product = await adapter.get_product(parent_id)
        assert product is not None and len(product.variants) == 2


async def test_categories_parents_first_and_adopted_on_rerun(woo: Woo) -> None:
    tree = [
        StoreCategory(name="Shirts", slug="shirts", parent_key="clothing"),
        StoreCategory(name="Clothing", slug="clothing"),
        StoreCategory(name="Polo", slug="polo", parent_key="shirts"),
    ]
    async with woo.adapter() as adapter:
        first = await adapter.upsert_categories(tree)
        assert not first.failed
        ids = {r.key: r.store_id for r in first.created}
        listed = {c.slug: c for c in await adapter.list_categories()}
        assert listed["shirts"].parent_store_id == ids["clothing"]
        assert listed["polo"].parent_store_id == ids["shirts"]

        # The same tree again, ids unknown: WooCommerce answers term_exists and the adapter adopts.
        second = await adapter.upsert_categories([StoreCategory(name=c.name, parent_key=c.parent_key and
                                                                {"clothing": "Clothing", "shirts": "Shirts"}[c.parent_key])
                                                  for c in tree])
        assert not second.failed
        assert {r.key: r.store_id for r in second.created} == {"Shirts": ids["shirts"], "Clothing": ids["clothing"],
                                                              "Polo": ids["polo"]}
        assert len(await adapter.list_categories()) == len(listed)


async def test_attributes_and_terms_are_adopted(woo: Woo) -> None:
    wanted = [StoreAttribute("Size", terms=[StoreTerm("S"), StoreTerm("M")]), StoreAttribute("Material")]
    async with woo.adapter() as adapter:
        first = await adapter.upsert_attributes(wanted)
        assert not first.failed
        more = [StoreAttribute("Size", terms=[StoreTerm("S"), StoreTerm("M"), StoreTerm("L")])]
        second = await adapter.upsert_attributes(more)
        assert not second.failed
        listed = {a.name: a for a in await adapter.list_attributes()}
    assert set(listed) == {"Size", "Material"}
    assert [t.name for t in listed["Size"].terms] == ["S", "M", "L"]
    size_first = next(r.store_id for r in first.created if r.key == "Size")
    assert next(r.store_id for r in second.updated if r.key == "Size") == size_first
    assert {r.key for r in second.created} == {"Size/L"}


async def test_delete_trash_versus_force(woo: Woo) -> None:
    async with woo.adapter() as adapter:
        made = await adapter.upsert_products([StoreProduct(sku="D-1", name="D1"), StoreProduct(sku="D-2", name="D2")])
        one, two = (r.store_id for r in made.created)
        trashed = await adapter.delete_products([one], force=False)
        assert trashed.deleted[0].ok and "trash" in trashed.deleted[0].note
        product = await adapter.get_product(one)
        assert product is not None and product.status == "trash"
        gone = await adapter.delete_products([two], force=True)
        assert gone.deleted[0].ok
        assert await adapter.get_product(two) is None


async def test_media_upload_with_application_password(woo: Woo) -> None:
    from unopim_desktop.sandbox.catalogue.images import png_for

    connection = woo.connection(wp_user=woo.state.wp_user, wp_app_password=woo.state.wp_app_password)
    async with WooCommerceAdapter(connection) as adapter:
        image = await adapter.upload_media("front view.png", png_for(1, "x"), "image/png")
        assert image.store_id and image.src.startswith(woo.url)
        made = await adapter.upsert_products([StoreProduct(sku="M-1", name="M", images=[image])])
        product = await adapter.get_product(made.created[0].store_id or 0)
    assert product is not None and product.images[0].store_id == image.store_id


async def test_a_product_is_saved_without_an_image_the_store_cannot_fetch(woo: Woo, media: str) -> None:
    products = [
        StoreProduct(sku="IMG-OK", name="Fine", images=[StoreImage(src=f"{media}/img/fine.png")]),
        StoreProduct(sku="IMG-BAD", name="Broken", images=[StoreImage(src=f"{media}/nowhere/broken.png")]),
    ]
    async with woo.adapter() as adapter:
        result = await adapter.upsert_products(products)
        by_key = {r.key: r for r in result.created}
        assert not result.failed and len(woo.state.product_records) == 2
        assert by_key["IMG-OK"].image_error == "" and by_key["IMG-OK"].image_ids
        assert by_key["IMG-BAD"].image_error and by_key["IMG-BAD"].image_ids == []
        broken = await adapter.get_product(by_key["IMG-BAD"].store_id or 0)
    assert broken is not None and broken.images == []


async def test_query_string_keys_never_reach_an_error(woo_tls: Woo) -> None:
    from unopim_desktop.clients.errors import ApiError

    secret = woo_tls.state.credentials["consumer_secret"]
    async with WooCommerceAdapter(woo_tls.connection(), query_string_auth=True) as adapter:
        info = await adapter.verify()
        assert info.can_write
        with pytest.raises(ApiError) as caught:
            await adapter.get_json("wc/v3/products/999999")
    error = caught.value
    assert error.status == 404 and "?" not in error.url
    assert secret not in f"{error} {error.url} {error.body!r}"


async def test_has_products_tells_an_empty_store_from_a_filled_one(woo: Woo, media: str) -> None:
    async with woo.adapter() as adapter:
        assert await adapter.has_products() is False
        created = await adapter.upsert_products(_products(media)[:1])
        assert not created.failed
        assert await adapter.has_products() is True
        # A product in the trash does not count: WooCommerce lets a new product take its SKU.
        await adapter.delete_products([created.created[0].store_id], force=False)
        assert await adapter.has_products() is False

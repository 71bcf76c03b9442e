"""A product's pictures in the store follow UnoPim's list, on both store kinds: a changed gallery ends as
UnoPim's list (order, thumbnail, nothing twice, nothing left over), and products a killed run created with their
pictures are adopted without a second copy. BigCommerce adds every image a product write carries (store-apis
B5), so there the list is compared before anything is sent."""

from __future__ import annotations

import re

import pytest

from tests.support.app import bc_api, connected_app, unopim_api, woo_api
from tests.support.stores import KINDS
from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox
from unopim_desktop.state.models import Link


@pytest.fixture
def sandbox():
    sb = start_sandbox(SandboxOptions(products=6, seed=4))
    yield sb
    sb.stop()


@pytest.fixture(params=KINDS)
async def app(request, data_dir, sandbox):
    async with connected_app(data_dir, sandbox, store=request.param, cooldown_s=0) as a:
        a.kind = request.param
        yield a


def _name(path: str) -> str:
    """A picture's file name without its folder, extension, or the `__<digits>` / `-<n>` a store adds."""
    stem = path.split("?", 1)[0].rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"(__\d+|-\d+x\d+|-scaled)$", "", stem)


def pictures(sandbox, kind: str, sku: str) -> list[str]:
    """The product's pictures in the store as a shopper sees them: the main one first, then the gallery."""
    if kind == "woocommerce":
        product = woo_api(sandbox, "GET", "/products", params={"sku": sku}).json()[0]
        return [_name(i.get("name") or i["src"]) for i in product["images"]]
    product = bc_api(sandbox, "GET", "/v3/catalog/products", params={"sku": sku, "include": "images"}).json()["data"][0]
    images = sorted(product["images"], key=lambda i: (not i["is_thumbnail"], i["sort_order"]))
    return [_name(i["image_file"]) for i in images]


def media(sandbox, kind: str) -> int:
    """Picture files the store holds: WooCommerce's media library, BigCommerce's product images."""
    return sandbox.woocommerce.counts()["media"] if kind == "woocommerce" else sandbox.bigcommerce.counts()["images"]


def unopims(sandbox, sku: str) -> tuple[str, list[str]]:
    common = unopim_api(sandbox, "GET", f"/products/{sku}").json()["values"]["common"]
    return common["image"], [g for g in (common.get("gallery") or "").split(",") if g]


def _simple(sandbox) -> str:
    return next(p["sku"] for p in sandbox.catalogue.products if not p.get("parent") and p.get("type") != "configurable")


async def test_a_changed_gallery_ends_as_unopims_list(app, sandbox):
    assert (await app.engine.pull(full=True)).status == "done"
    sku = _simple(sandbox)
    image, gallery = unopims(sandbox, sku)
    assert len(gallery) >= 3
    assert pictures(sandbox, app.kind, sku) == [_name(p) for p in [image, *gallery]]
    changed = [gallery[2], gallery[0]]  # one left out, two swapped
    files = media(sandbox, app.kind)
    r = unopim_api(sandbox, "PATCH", f"/products/{sku}", json={"values": {"common": {"gallery": ",".join(changed)}}})
    assert r.status_code == 200, r.text
    outcome = await app.engine.pull(full=False)
    assert outcome.status == "done"
    assert outcome.totals()["image"]["updated"] == 1
    assert pictures(sandbox, app.kind, sku) == [_name(p) for p in [image, *changed]]
    # Nothing fetched again: WooCommerce's library keeps the one picture left out (WordPress keeps media a
    # product no longer shows); BigCommerce's images of the product are the list.
    assert media(sandbox, app.kind) == (files if app.kind == "woocommerce" else files - 1)
    again = await app.engine.pull(full=False)
    assert again.totals().get("image", {}).get("updated", 0) == 0
    assert pictures(sandbox, app.kind, sku) == [_name(p) for p in [image, *changed]]


async def test_products_a_killed_run_made_are_adopted_without_a_second_copy_of_their_pictures(app, sandbox):
    """A run killed after the store made the products (with their pictures) but before their links were
    recorded: the next run finds them by SKU and gives them UnoPim's pictures, which they already have."""
    assert (await app.engine.pull(full=True)).status == "done"
    skus = [p["sku"] for p in sandbox.catalogue.products if not p.get("parent")]
    before = {sku: pictures(sandbox, app.kind, sku) for sku in skus}
    files = media(sandbox, app.kind)
    assert sum(len(p) for p in before.values()) > len(skus)
    await app.ctx.lane.run(lambda: Link.delete().execute())  # the links the killed run never recorded
    outcome = await app.engine.pull(full=True)
    assert outcome.status == "done", [r.message for r in app.logs if r.level == "error"]
    assert outcome.totals()["product"]["created"] == 0
    assert {sku: pictures(sandbox, app.kind, sku) for sku in skus} == before
    assert media(sandbox, app.kind) == files

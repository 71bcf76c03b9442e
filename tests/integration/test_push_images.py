"""Images: store pictures go to UnoPim's media endpoint, in the background of a push, without echo."""

from __future__ import annotations

import pytest

from tests.support.app import connected_app, unopim_api, woo_api
from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox


@pytest.fixture
def sandbox(request):
    sb = start_sandbox(getattr(request, "param", None) or SandboxOptions(products=6, seed=3))
    yield sb
    sb.stop()


@pytest.fixture
async def app(data_dir, sandbox):
    async with connected_app(data_dir, sandbox, cooldown_s=0) as a:  # these tests are about what a push sees, not echoes
        yield a


async def test_pulled_images_are_not_pushed_back(app, sandbox):
    assert (await app.engine.pull(full=True)).status == "done"
    writes = sandbox.unopim.write_count()
    outcome = await app.engine.push(changed=False)
    assert outcome.status == "done", outcome.channels[0].message
    assert sandbox.unopim.write_count() == writes
    assert outcome.totals().get("image", {}).get("updated", 0) == 0


async def test_a_new_store_picture_lands_in_unopim_and_is_not_sent_back(app, sandbox):
    await app.engine.pull(full=True)
    sku = next(p["sku"] for p in sandbox.catalogue.products if not p.get("parent"))
    product = sandbox.woocommerce.product_by_sku(sku)
    other = sandbox.woocommerce.products()[-1]["images"][0]["src"]  # a picture the store already serves
    r = woo_api(sandbox, "PUT", f"/products/{product['id']}", json={"images": [{"src": other}]})
    assert r.status_code == 200, r.text
    before = sandbox.unopim.get_product(sku)["values"]["common"]["image"]
    outcome = await app.engine.push(changed=False)
    assert outcome.status == "done", outcome.channels[0].message
    assert outcome.totals()["image"]["updated"] == 1
    after = sandbox.unopim.get_product(sku)["values"]["common"]["image"]
    assert after != before and after.startswith("product/")
    store_writes = sandbox.woocommerce.write_count()
    pulled = await app.engine.pull(full=True)  # the picture now in UnoPim is the store's own: nothing to send
    assert pulled.status == "done"
    assert sandbox.woocommerce.write_count() == store_writes


@pytest.mark.parametrize("sandbox", [SandboxOptions(products=5, seed=8, seed_side="store")], indirect=True)
async def test_first_push_uploads_every_product_picture(app, sandbox):
    mapping = app.mapping
    core = await mapping.core()
    core.default_family = "default"
    await mapping.save_core(core)
    outcome = await app.engine.push(changed=False)
    assert outcome.status in ("done", "partial"), outcome.channels[0].message
    plain = [p for p in sandbox.woocommerce.products() if p["type"] == "simple"]
    for p in plain:
        got = sandbox.unopim.get_product(p["sku"])
        if got is not None and p["images"]:
            assert got["values"]["common"].get("image", "").startswith("product/")
    assert outcome.totals()["image"]["updated"] >= len([p for p in plain if p["images"]])


async def test_a_failed_upload_fails_only_the_image_and_is_retried_next_push(app, sandbox, monkeypatch):
    from unopim_desktop.clients.errors import ServerError
    from unopim_desktop.clients.unopim import UnoPimClient

    await app.engine.pull(full=True)
    sku = next(p["sku"] for p in sandbox.catalogue.products if not p.get("parent"))
    product = sandbox.woocommerce.product_by_sku(sku)
    other = sandbox.woocommerce.products()[-1]["images"][0]
    woo_api(sandbox, "PUT", f"/products/{product['id']}", json={"images": [{"id": other["id"]}]})

    # Uploads run in the background of the product writes: fail the media endpoint only, as UnoPim
    # answering 5xx to every retry would (the client raises ServerError once its retries are spent).
    async def broken_upload(self, *args, **kwargs):
        raise ServerError("503 Service Unavailable", status=503)

    with monkeypatch.context() as patched:
        patched.setattr(UnoPimClient, "upload_product_media_files", broken_upload)
        first = await app.engine.push(changed=False)
    assert first.status == "partial", first.channels[0].message  # the run went through; only the image failed
    assert first.totals()["image"]["failed"] == 1
    assert all(c.get("failed", 0) == 0 for kind, c in first.totals().items() if kind != "image")
    assert any(r.level == "warning" and r.entity == sku and "retried" in r.message for r in app.logs)
    second = await app.engine.push(changed=False)
    assert second.status == "done", second.channels[0].message
    assert second.totals()["image"]["updated"] == 1


async def test_a_picture_pushed_from_another_channel_never_overwrites_the_default_channels(data_dir, sandbox):
    """A channel-scoped image attribute: UnoPim writes an upload into the bucket of the `channel` sent, or
    of its default channel when none is (unopim-api §13.5)."""
    r = unopim_api(sandbox, "POST", "/attributes", json={
        "code": "channel_image", "type": "image", "value_per_channel": 1, "value_per_locale": 0,
        "labels": {"en_US": "Channel image"}})
    assert r.status_code == 201, r.text
    sku = next(p["sku"] for p in sandbox.catalogue.products if not p.get("parent"))
    family = sandbox.unopim.get_product(sku)["family"]
    groups = unopim_api(sandbox, "GET", f"/families/{family}").json()["attribute_groups"]
    groups[0]["custom_attributes"].append({"code": "channel_image", "position": 99})
    assert unopim_api(sandbox, "PUT", f"/families/{family}", json={"attribute_groups": groups}).status_code == 200
    picture = sandbox.unopim.storage.get(sandbox.unopim.get_product(sku)["values"]["common"]["image"])
    r = unopim_api(sandbox, "POST", "/media-files/product", data={"sku": sku, "attribute": "channel_image",
                                                                 "channel": "default"},
                   files={"file": ("default.png", picture, "image/png")})
    assert r.status_code == 200, r.text
    default_image = sandbox.unopim.get_product(sku)["values"]["channel_specific"]["default"]["channel_image"]
    async with connected_app(data_dir, sandbox, channel="mobile", cooldown_s=0) as app:
        core = await app.mapping.core()
        core.rows["image"], core.rows["gallery"] = "channel_image", ""
        await app.mapping.save_core(core)
        assert (await app.engine.pull(full=True)).status == "done"
        product = sandbox.woocommerce.product_by_sku(sku)
        other = sandbox.catalogue.products[-1]["values"]["common"]["image"]
        r = woo_api(sandbox, "PUT", f"/products/{product['id']}",
                    json={"images": [{"src": f"{sandbox.unopim_url}/storage/{other}"}]})
        assert r.status_code == 200, r.text
        outcome = await app.engine.push(changed=True)
        assert outcome.status == "done", outcome.channels[0].message
        assert outcome.totals()["image"]["updated"] == 1
    values = sandbox.unopim.get_product(sku)["values"]["channel_specific"]
    assert values["default"]["channel_image"] == default_image
    assert values["mobile"]["channel_image"].startswith("product/")

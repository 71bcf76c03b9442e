"""Pull and push with a BigCommerce store, where BigCommerce answers as its reference says (store-apis.md,
Corrections): category names of at most 50 characters, and write answers without images."""

from __future__ import annotations

import pytest

from tests.support.app import connected_app, unopim_api
from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox


@pytest.fixture
def sandbox():
    sb = start_sandbox(SandboxOptions(products=8, seed=4))
    yield sb
    sb.stop()


@pytest.fixture
async def app(data_dir, sandbox):
    async with connected_app(data_dir, sandbox, store="bigcommerce", cooldown_s=0) as a:
        yield a


async def test_a_long_category_name_is_shortened_with_a_logs_row_and_never_pushed_back(app, sandbox):
    root = next(c for c in unopim_api(sandbox, "GET", "/channels").json()["data"] if c["code"] == "default")
    name = "Outdoor and camping equipment for the whole family, all seasons"
    r = unopim_api(sandbox, "POST", "/categories", json={"code": "outdoor_all", "parent": root["root_category"],
                                                          "additional_data": {"locale_specific": {"en_US": {"name": name}}}})
    assert r.status_code == 201, r.text
    outcome = await app.engine.pull(full=True)
    assert outcome.status == "done", [r.message for r in app.logs if r.level == "error"]
    made = [c for c in sandbox.bigcommerce.categories_by_id.values() if c["name"] == name[:50].rstrip()]
    assert len(made) == 1
    assert [r for r in app.logs if r.entity == "outdoor_all" and "shortened" in r.message]
    assert (await app.engine.push(changed=False, entity="categories")).status == "done"
    shown = unopim_api(sandbox, "GET", "/categories/outdoor_all").json()
    assert shown["additional_data"]["locale_specific"]["en_US"]["name"] == name  # not renamed to the short one



async def test_pulled_images_and_inherited_values_are_not_pushed_back_from_bigcommerce(app, sandbox):
    """BigCommerce's write answers carry no image ids (a variant's image has none at all, only its URL): the
    pull reads and records them, so the push knows the store's copies of UnoPim's pictures and uploads
    none of them back."""
    assert (await app.engine.pull(full=True)).status == "done"
    media = len(sandbox.unopim.storage)
    outcome = await app.engine.push(changed=False)
    assert outcome.status == "done", [r.message for r in app.logs if r.level == "error"]
    assert outcome.totals().get("image", {}).get("updated", 0) == 0
    assert len(sandbox.unopim.storage) == media
    # Nor does a variant get UnoPim's values written back into it (3.x: they are its parent's): BigCommerce
    # gives 62.5 for "62.50" and 0 for a dimension never set, which are no edits.
    assert outcome.totals()["variant"]["updated"] == 0
    conf = sandbox.catalogue.configurable_products[0]
    assert all(set(sandbox.unopim.get_product(v["sku"])["values"]) == {"common"} for v in conf["variants"])

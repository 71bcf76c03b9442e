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


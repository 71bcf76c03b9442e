"""What a pull could not write is read again by the next delta, though UnoPim did not change it: a product
the store refused (a batch answered 400), so a scheduled delta completes the store instead of leaving the
product out until someone edits it in UnoPim or runs a Pull Full."""

from __future__ import annotations

import json

import pytest

from tests.support.app import connected_app
from tests.support.faults import scripted
from tests.support.stores import KINDS, Shop
from unopim_desktop.sandbox.faults import FaultRule
from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox

REFUSED = json.dumps({"code": "rest_invalid_param", "message": "Refused for the test.", "data": {"status": 400},
                      "status": 400, "title": "Refused for the test.", "errors": {}}).encode()


@pytest.fixture
def sandbox():
    sb = start_sandbox(SandboxOptions(products=6, seed=8))
    yield sb
    sb.stop()


def refusal(kind: str) -> FaultRule:
    """The store refuses the first product write (WooCommerce's batch, BigCommerce's create)."""
    path = "/wp-json/wc/v3/products/batch$" if kind == "woocommerce" else "/v3/catalog/products$"
    return FaultRule("answer", method="POST", path=path, status=400, times=1, body=REFUSED)


@pytest.mark.parametrize("kind", KINDS)
async def test_the_next_delta_writes_what_the_pull_could_not(data_dir, sandbox, kind):
    async with connected_app(data_dir, sandbox, store=kind, cooldown_s=0) as app:
        shop = Shop(sandbox, kind)
        with scripted(sandbox, kind, refusal(kind)) as (rule,):
            first = await app.engine.pull(full=True)
        assert rule.hits == 1
        failed = sorted({r.entity for r in app.logs if r.level == "error" and r.entity_kind == "product"})
        assert first.status == "partial" and failed
        assert not any(shop.product(sku) for sku in failed)
        app.logs.clear()
        delta = await app.engine.pull(full=False)  # nothing changed in UnoPim meanwhile
        assert delta.status == "done", [r.message for r in app.logs if r.level == "error"]
        assert all(shop.product(sku) for sku in failed)
        assert delta.totals()["product"]["created"] == len(failed)
        app.logs.clear()
        again = await app.engine.pull(full=False)  # written now: not read again
        assert again.totals().get("product", {}).get("created", 0) == 0
        assert again.totals().get("product", {}).get("unchanged", 0) == 0

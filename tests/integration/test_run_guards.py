"""A run does exactly the right thing to a real catalogue, or stops and says why: the mapping is checked
before anything is written, mass deletes wait for a confirmation, deleted products take their links
along, and one run of a channel at a time — through the engine and through the CLI."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest

from tests.support.app import STORE, connected_app, store_state, unopim_api
from unopim_desktop.cli import main
from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox
from unopim_desktop.state import mapping_repo, sync_repo
from unopim_desktop.sync.locks import RunLocks


@pytest.fixture
def sandbox():
    sb = start_sandbox(SandboxOptions(products=12, seed=3))
    yield sb
    sb.stop()


@pytest.fixture
async def app(data_dir, sandbox):
    async with connected_app(data_dir, sandbox) as a:
        yield a


def _plain_skus(sb: Sandbox) -> list[str]:
    return [p["sku"] for p in sb.catalogue.products if not p.get("parent")]


def _hide_in_unopim(sb: Sandbox, skus: list[str]) -> list[dict[str, Any]]:
    """Take products (and a configurable's variants) out of UnoPim's listings, as if deleted there."""
    state, taken = sb.unopim, []
    with state.lock:
        for sku in skus:
            record = state.find_product(sku)
            group = [record, *state.children_of(record["id"])]
            for r in group:
                state.remove_product(r)
            taken.append(group)
    return taken


def _put_back_in_unopim(sb: Sandbox, taken: list[list[dict[str, Any]]]) -> None:
    """The hidden products come back (new ids, as a re-import would give them)."""
    state = sb.unopim
    with state.lock:
        for parent, *children in taken:
            state.insert_product(parent)
            for child in children:
                child["parent_id"] = parent["id"]
                state.insert_product(child)


def _cli(data_dir, *args: str) -> list[str]:
    return ["--data-dir", str(data_dir), *args]


# -- the mapping is checked before anything is written ------------------------------------------------------
async def test_a_pull_with_no_saved_mapping_is_refused_and_writes_nothing(app, sandbox, data_dir, capsys):
    address = await app.app.connection.address()
    await app.ctx.lane.run(mapping_repo.save_core_mapping, address, {}, "")  # as after Refresh channels only
    outcome = await app.engine.pull(full=True)
    channel = outcome.channels[0]
    assert (outcome.status, channel.status, channel.action) == ("refused", "refused", "mapping")
    assert channel.message.startswith("No field mapping has been saved for this UnoPim yet, so nothing was written.")
    assert "mapping auto" in channel.fix
    assert sandbox.woocommerce.write_count() == 0 and sandbox.woocommerce.counts()["products"] == 0
    runs = await app.ctx.lane.run(sync_repo.recent_runs, address, 5)
    assert runs[0]["status"] == "refused"

    await app.close()
    capsys.readouterr()
    assert await asyncio.to_thread(main, _cli(data_dir, "sync", "pull", "--full")) == 2
    err = capsys.readouterr().err
    assert "default: No field mapping has been saved for this UnoPim yet, so nothing was written." in err
    assert "`unopim-desktop mapping auto`" in err and "Traceback" not in err
    assert sandbox.woocommerce.write_count() == 0


@pytest.mark.parametrize(("field", "code", "says"), [
    ("name", "no_such_attribute", "Name: “no_such_attribute” is not a UnoPim attribute"),
    ("regular_price", "name", "Regular Price: Regular Price needs a price attribute"),
    ("name", "", "Name: Name must be mapped."),
], ids=["attribute-deleted-in-unopim", "price-mapped-to-text", "required-row-emptied"])
async def test_a_stale_mapping_refuses_pull_and_push_with_the_row_to_change(app, sandbox, field, code, says):
    assert (await app.engine.pull(full=True)).status == "done"
    before, writes = store_state(sandbox), sandbox.woocommerce.write_count()
    address = await app.app.connection.address()
    rows = await app.ctx.lane.run(mapping_repo.core_mapping, address)
    await app.ctx.lane.run(mapping_repo.save_core_mapping, address, {**rows, field: code}, "default")
    unopim_api(sandbox, "PATCH", f"/products/{_plain_skus(sandbox)[0]}", json={"values": {
        "channel_locale_specific": {"default": {"en_US": {"name": "Renamed in UnoPim"}}}}})
    for outcome in (await app.engine.pull(full=True), await app.engine.pull(full=False),
                    await app.engine.push(changed=False)):
        channel = outcome.channels[0]
        assert channel.status == "refused" and says in channel.message, channel.message
    assert sandbox.woocommerce.write_count() == writes and store_state(sandbox) == before


# -- mass deletes wait for a confirmation ---------------------------------------------------------------------
@pytest.mark.parametrize("policy", ["delete", "trash"])
def test_unopim_listing_nothing_holds_every_delete_until_confirmed(sandbox, data_dir, capsys, policy):
    async def setup() -> None:
        async with connected_app(data_dir, sandbox) as a:
            await a.ctx.lane.run(sync_repo.save_general_settings, sandbox.unopim_url, {"on_delete": policy})
            assert (await a.engine.pull(full=True)).status == "done"

    asyncio.run(setup())
    before = store_state(sandbox)
    linked = len(before)
    _hide_in_unopim(sandbox, [p["sku"] for p in sandbox.catalogue.products if not p.get("parent")]
                    + [c["sku"] for c in sandbox.catalogue.configurable_products])
    capsys.readouterr()
    assert main(_cli(data_dir, "sync", "pull", "--full", "--json")) == 3
    out = capsys.readouterr()
    line = f"UnoPim listed 0 of {linked} linked products; nothing was deleted. Re-run with --allow-deletes to delete them."
    assert f"default: {line}" in out.err and "Traceback" not in out.err
    summary = json.loads(out.out.strip().splitlines()[-1])
    assert summary["status"] == "held" and summary["channels"][0]["fix"].startswith("Re-run with --allow-deletes")
    assert len(summary["channels"][0]["held"]) == linked
    assert summary["totals"]["product"]["deleted"] == summary["totals"]["product"]["trashed"] == 0
    assert store_state(sandbox) == before  # nothing deleted, nothing trashed

    assert main(_cli(data_dir, "sync", "pull", "--full", "--dry-run")) == 3  # a dry run warns the same way
    assert line in capsys.readouterr().err
    assert store_state(sandbox) == before

    assert main(_cli(data_dir, "sync", "pull", "--full", "--allow-deletes", "--json")) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    outcome = "deleted" if policy == "delete" else "trashed"
    assert summary["totals"]["product"][outcome] == linked and summary["totals"]["product"]["updated"] == 0
    assert sandbox.woocommerce.products() == []


async def test_deletes_beyond_max_delete_are_held_and_within_it_go_through(app, sandbox):
    await app.ctx.lane.run(sync_repo.save_general_settings, sandbox.unopim_url, {"on_delete": "delete"})
    assert (await app.engine.pull(full=True)).status == "done"
    linked = len(store_state(sandbox))
    gone = _plain_skus(sandbox)[:3]  # 3 of 12+: over 10 %
    _hide_in_unopim(sandbox, gone)
    outcome = await app.engine.pull(full=True)
    channel = outcome.channels[0]
    assert (outcome.status, channel.action) == ("held", "allow_deletes")
    assert channel.message.startswith(f"UnoPim no longer lists 3 of {linked} linked products, more than Max delete "
                                      "allows (10 %: 1); nothing was deleted.")
    assert sorted(channel.held_items) == sorted(gone)
    assert all(sandbox.woocommerce.product_by_sku(s) is not None for s in gone)
    await app.ctx.lane.run(sync_repo.save_general_settings, sandbox.unopim_url, {"max_delete": "50"})
    outcome = await app.engine.pull(full=True)
    assert outcome.status == "done" and outcome.totals()["product"]["deleted"] == 3
    assert all(sandbox.woocommerce.product_by_sku(s) is None for s in gone)


async def test_a_deleted_product_that_returns_gets_every_variation_back(app, sandbox):
    await app.ctx.lane.run(sync_repo.save_general_settings, sandbox.unopim_url, {"on_delete": "delete"})
    assert (await app.engine.pull(full=True)).status == "done"
    full = store_state(sandbox)
    conf = sandbox.catalogue.configurable_products[0]["sku"]
    taken = _hide_in_unopim(sandbox, [conf])
    outcome = await app.engine.pull(full=True)
    assert outcome.status == "done" and outcome.totals()["product"]["deleted"] == 1
    assert sandbox.woocommerce.product_by_sku(conf) is None
    # Its variant, image and association links went with it.
    address = await app.app.connection.address()
    links = await app.ctx.lane.run(sync_repo.load_links, address, STORE)
    assert not [key for key, link in links.items() if key == ("product", conf) or link.parent_code == conf]

    _put_back_in_unopim(sandbox, taken)
    outcome = await app.engine.pull(full=True)
    assert outcome.status == "done", outcome.channels[0].message
    assert store_state(sandbox) == full  # the product and every one of its variations are back
    assert outcome.totals()["variant"]["created"] == len(full[conf]["variations"])


# -- one run of a channel at a time ---------------------------------------------------------------------------
async def test_a_second_run_of_a_channel_is_refused_at_once(app, sandbox, data_dir, capsys):
    holder = RunLocks(app.app.paths.root / "locks")  # another process's run, as far as the lock can tell
    with holder.hold("default", "pull_full"):
        outcome = await app.engine.pull(full=True)
        channel = outcome.channels[0]
        assert outcome.status == "refused"
        assert re.fullmatch(r"A pull of channel default is already running \(process \d+, started \d\d:\d\d\)\.",
                            channel.message), channel.message
        assert sandbox.woocommerce.write_count() == 0
        await app.close()
        capsys.readouterr()
        assert await asyncio.to_thread(main, _cli(data_dir, "sync", "push", "--changed")) == 2
        err = capsys.readouterr().err
        assert re.search(r"default: A pull of channel default is already running \(process \d+", err), err
        assert "Traceback" not in err
    assert await asyncio.to_thread(main, _cli(data_dir, "sync", "pull", "--full")) == 0  # free again


async def test_a_run_left_running_by_a_dead_process_is_marked_interrupted(app, sandbox):
    address = await app.app.connection.address()
    dead = await app.ctx.lane.run(sync_repo.start_run, address, "pull_full", "default", STORE, False)
    assert await app.engine.recover_interrupted() == 1  # its lock is free: the process is gone
    await app.engine.pull(full=True)
    runs = {r["id"]: r for r in await app.ctx.lane.run(sync_repo.recent_runs, address, 5)}
    assert runs[dead]["status"] == "interrupted" and "next run of this job resumes it" in runs[dead]["message"]
    assert [r["status"] for r in runs.values() if r["id"] != dead] == ["done"]


# -- preview, then apply --------------------------------------------------------------------------------------
def test_a_dry_run_lists_every_field_it_would_change_and_writes_nothing(sandbox, data_dir, capsys):
    async def setup() -> str:
        async with connected_app(data_dir, sandbox) as a:
            assert (await a.engine.pull(full=True)).status == "done"
            return _plain_skus(sandbox)[0]

    sku = asyncio.run(setup())
    before, writes = store_state(sandbox), sandbox.woocommerce.write_count()
    old_name = before[sku]["name"]
    unopim_api(sandbox, "PATCH", f"/products/{sku}", json={"values": {"channel_locale_specific": {
        "default": {"en_US": {"name": "Renamed in UnoPim"}}}}})
    capsys.readouterr()
    assert main(_cli(data_dir, "sync", "pull", "--delta", "--dry-run", "--diff", "--json")) == 0
    out = capsys.readouterr().out
    assert f"  product {sku} (update)" in out
    assert f'    name: "{old_name}" → "Renamed in UnoPim"' in out
    summary = json.loads(out.strip().splitlines()[-1])
    changes = summary["channels"][0]["changes"]
    assert {"kind": "product", "code": sku, "action": "update", "field": "name", "old": old_name,
            "new": "Renamed in UnoPim"} in changes
    assert sandbox.woocommerce.write_count() == writes and store_state(sandbox) == before


async def test_apply_says_whether_it_did_exactly_what_the_preview_showed(app, sandbox):
    assert (await app.engine.pull(full=True)).status == "done"
    sku, other = _plain_skus(sandbox)[:2]
    unopim_api(sandbox, "PATCH", f"/products/{sku}", json={"values": {"channel_locale_specific": {
        "default": {"en_US": {"name": "Renamed in UnoPim"}}}}})
    preview = await app.engine.pull(full=False, dry_run=True)
    runs = {c.channel: c.run_id for c in preview.channels if c.run_id}
    applied = await app.engine.pull(full=False, dry_run=False, apply_of=runs)
    assert applied.status == "done" and "Applied exactly the previewed changes (1)." in applied.channels[0].message
    assert sandbox.woocommerce.product_by_sku(sku)["name"] == "Renamed in UnoPim"

    # The data moves between the preview and the apply: the apply says so.
    unopim_api(sandbox, "PATCH", f"/products/{sku}", json={"values": {"channel_locale_specific": {
        "default": {"en_US": {"name": "Renamed again"}}}}})
    preview = await app.engine.pull(full=False, dry_run=True)
    runs = {c.channel: c.run_id for c in preview.channels if c.run_id}
    unopim_api(sandbox, "PATCH", f"/products/{other}", json={"values": {"channel_locale_specific": {
        "default": {"en_US": {"name": "Moved meanwhile"}}}}})
    applied = await app.engine.pull(full=False, dry_run=False, apply_of=runs)
    assert "The data changed since the preview, so this was a fresh run: 1 change(s) differ" in \
        applied.channels[0].message


async def test_a_first_pull_into_a_filled_store_names_it_and_counts_the_adoptions(data_dir):
    sb = start_sandbox(SandboxOptions(products=6, seed=4, seed_side="store"))
    sb.unopim.load_catalogue(sb.catalogue)  # both sides hold the same SKUs; the app linked none of them
    try:
        async with connected_app(data_dir, sb) as app:
            assert await app.engine.unlinked_stores("default") == [STORE]
            preview = await app.engine.pull(full=True, dry_run=True)
            changes = await app.app.activity.run_changes(preview.channels[0].run_id)
            adopted = {c["code"] for c in changes if c["kind"] == "product" and c["action"] == "adopt" and not c["field"]}
            assert adopted == {p["sku"] for p in sb.catalogue.products if not p.get("parent")} | {
                c["sku"] for c in sb.catalogue.configurable_products}
            assert any(f"{len(adopted)} store product(s) that were not linked would be adopted by SKU" in r.message
                       for r in app.logs)
            outcome = await app.engine.pull(full=True)
            assert outcome.status == "done"
            assert await app.engine.unlinked_stores("default") == []
    finally:
        sb.stop()

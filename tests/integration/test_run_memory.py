"""A finished run lets go of what it held (every link, its state) at once, not at the next full garbage
collection: otherwise the next run (the delta after a Pull Full) loads its own links beside the old ones, and
the app's peak memory is the sum of both (the 100,000-product load test's peak was the delta's start)."""

from __future__ import annotations

import gc
import weakref

import pytest

from tests.support.app import connected_app
from tests.support.stores import KINDS
from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox
from unopim_desktop.state import sync_repo


@pytest.fixture
def sandbox():
    sb = start_sandbox(SandboxOptions(products=6, seed=5))
    yield sb
    sb.stop()


@pytest.mark.parametrize("kind", KINDS)
async def test_a_finished_run_frees_its_links_without_waiting_for_the_garbage_collector(data_dir, sandbox, kind,
                                                                                       monkeypatch):
    tables: list[weakref.ref] = []
    load = sync_repo.load_links

    def watched(*args, **kwargs):
        table = load(*args, **kwargs)
        tables.append(weakref.ref(table))
        return table

    monkeypatch.setattr(sync_repo, "load_links", watched)
    async with connected_app(data_dir, sandbox, store=kind, cooldown_s=0) as app:
        gc.disable()  # only reference counting frees anything now, as between two of Python's full collections
        try:
            assert (await app.engine.pull(full=True)).status == "done"
            assert (await app.engine.push(changed=False)).status == "done"
            assert len(tables) == 2  # the pull's and the push's
            assert [t() for t in tables] == [None, None]
        finally:
            gc.enable()

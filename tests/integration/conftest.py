"""Sandbox peers on real loopback sockets for integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from unopim_desktop.sandbox.server import ServerThread
from unopim_desktop.sandbox.stats import RequestStats


@dataclass
class RunningUnoPim:
    state: object
    stats: RequestStats
    url: str
    server: ServerThread

    @property
    def credentials(self) -> dict:
        return self.state.credentials  # type: ignore[attr-defined]


def start_unopim(**state_kwargs) -> RunningUnoPim:
    from unopim_desktop.sandbox.unopim import UnoPimState, create_unopim_app

    state = UnoPimState(**state_kwargs)
    stats = RequestStats()
    server = ServerThread(create_unopim_app(state, stats=stats), name="unopim").start()
    return RunningUnoPim(state=state, stats=stats, url=server.url, server=server)


@pytest.fixture
def unopim() -> Iterator[RunningUnoPim]:
    running = start_unopim()
    yield running
    running.server.stop()


@pytest.fixture(params=[1, 3], ids=["unopim1", "unopim3"])
def unopim_any_version(request) -> Iterator[RunningUnoPim]:
    running = start_unopim(version=request.param)
    yield running
    running.server.stop()

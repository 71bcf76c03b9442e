"""The channel lock's refusal sentence, for each thing the refused run can read about the holder."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from unopim_desktop.sync.locks import RunLocks, RunRefused


def test_the_refusal_names_the_holders_job_process_and_start(tmp_path: Path) -> None:
    locks = RunLocks(tmp_path)
    with locks.hold("default", "push_changed"):
        assert not locks.is_free("default")
        with pytest.raises(RunRefused) as refused, RunLocks(tmp_path).hold("default", "pull_full"):
            pass
        assert re.fullmatch(r"A push of channel default is already running \(process \d+, started \d\d:\d\d\)\.",
                            str(refused.value))
        assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []  # the info is whole, no leftovers
    assert locks.is_free("default")
    assert not (tmp_path / "channel-default.json").exists()


@pytest.mark.parametrize("info", [None, "{\"pid\": 12", "[]"])
def test_a_holder_that_has_not_said_who_it_is_yet_is_still_named_as_a_sync(tmp_path: Path, info: str | None) -> None:
    """Between taking the lock and writing its info (or with a damaged info file) the refusal stays a sentence."""
    locks = RunLocks(tmp_path)
    with locks.hold("default", "pull_delta"):
        info_path = tmp_path / "channel-default.json"
        if info is None:
            info_path.unlink()
        else:
            info_path.write_text(info, encoding="utf-8")
        with pytest.raises(RunRefused) as refused, RunLocks(tmp_path).hold("default", "pull_full"):
            pass
    assert str(refused.value) == "A sync of channel default is already running in another window or command."


def test_channels_with_odd_names_lock_separately(tmp_path: Path) -> None:
    locks = RunLocks(tmp_path)
    with locks.hold("shop/é one", "pull_full"):
        assert locks.is_free("shop two")
        assert not locks.is_free("shop/é one")
        assert json.loads(next(tmp_path.glob("*.json")).read_text(encoding="utf-8"))["job"] == "pull_full"


def test_where_the_rename_is_refused_the_info_is_written_in_place(tmp_path: Path, monkeypatch) -> None:
    """Windows refuses to rename over a file another process has open (a refused run reading it)."""
    import os

    def refused(*_a: object) -> None:
        raise PermissionError(13, "The process cannot access the file because it is being used")

    monkeypatch.setattr(os, "replace", refused)
    locks = RunLocks(tmp_path)
    with locks.hold("default", "pull_delta"):
        with pytest.raises(RunRefused) as refused_run:
            RunLocks(tmp_path).hold("default", "push_all").__enter__()
        assert str(refused_run.value).startswith("A pull of channel default is already running (process ")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["channel-default.json", "channel-default.lock"]

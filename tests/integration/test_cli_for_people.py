"""The CLI talks to people: without --json a run ends with a short summary (counts per entity kind, channels
skipped and why, where the Logs are); progress is one updating line per step on a terminal and one line per
finished step when piped (never `categories: 0` five times); `settings` edits every General setting and
removes an address's data; `logs` shows and exports the Logs."""

from __future__ import annotations

import asyncio
import csv
import io
import re

import pytest

from tests.support.app import connected_app
from unopim_desktop.cli import main
from unopim_desktop.commands.report import ProgressPrinter, summary_lines
from unopim_desktop.sandbox.launcher import SandboxOptions, start_sandbox
from unopim_desktop.sync.engine import ChannelOutcome, JobOutcome
from unopim_desktop.sync.events import LogRow, RunFinished, RunStarted, StepProgress


@pytest.fixture
def sandbox():
    sb = start_sandbox(SandboxOptions(products=12, seed=4))
    yield sb
    sb.stop()


@pytest.fixture
def ready(data_dir, sandbox):
    async def setup() -> None:
        async with connected_app(data_dir, sandbox):
            pass

    asyncio.run(setup())
    return data_dir


def _cli(data_dir, *args: str) -> list[str]:
    return ["--data-dir", str(data_dir), *args]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _feed(printer: ProgressPrinter, clock: Clock) -> None:
    printer(RunStarted(1, "pull_full", "default", "Shop", False, ("channels", "categories", "products", "images")))
    printer(StepProgress(1, "channels", 0, None))
    printer(StepProgress(1, "channels", 2, 2, 0.0))
    for _ in range(5):  # a step that reports its zero several times prints nothing until it ends
        printer(StepProgress(1, "categories", 0, 10))
    for done in range(1, 11):
        clock.now += 0.05
        printer(StepProgress(1, "categories", done, 10, 1.0, run_eta_s=5.0))
    printer(StepProgress(1, "categories", 10, 10, 0.0))
    printer(StepProgress(1, "products", 0, 40))
    printer(StepProgress(1, "images", 3, 7, 2.0))  # a background step moving alongside
    printer(LogRow("Product X failed: price", "error", "pull"))
    printer(StepProgress(1, "products", 40, 40, 0.0))
    printer(StepProgress(1, "images", 7, 7, 0.0))
    printer(RunFinished(1, "pull_full", "default", "done", {}))


def test_piped_progress_is_one_line_per_finished_step():
    out, clock = io.StringIO(), Clock()
    _feed(ProgressPrinter(out, tty=False, clock=clock), clock)
    assert out.getvalue().splitlines() == [
        "Pull Full of channel default → Shop",
        "  channels: 2/2 done",
        "  categories: 10/10 done",
        "  error: Product X failed: price",
        "  products: 40/40 done",
        "  images: 7/7 done",
        "Pull Full of channel default: done",
    ]
    assert "\r" not in out.getvalue()


def test_on_a_terminal_the_step_under_way_is_one_updating_line_with_an_eta():
    out, clock = io.StringIO(), Clock()
    _feed(ProgressPrinter(out, tty=True, clock=clock), clock)
    text = out.getvalue()
    # Finished steps and the error stay, one line each; the updating line is rewritten in place.
    lines = [line.split("\r")[-1].replace("\x1b[K", "") for line in text.split("\n")]
    assert [line for line in lines if line] == [
        "Pull Full of channel default → Shop", "  channels: 2/2 done", "  categories: 10/10 done",
        "  error: Product X failed: price", "  products: 40/40 done", "  images: 7/7 done",
        "Pull Full of channel default: done"]
    redraws = re.findall(r"\r\x1b\[K  categories: (\d+)/10 · ~5 s left", text)
    assert 2 <= len(redraws) <= 6  # throttled: 10 events 50 ms apart make a few redraws, not ten
    assert "products: 0/40" in text  # the products line was drawn while images moved beside it


def test_the_summary_says_what_happened_per_kind_what_was_skipped_and_where_the_logs_are():
    outcome = JobOutcome("pull_full", [
        ChannelOutcome("default", "Shop", "partial", {
            "product": {"created": 1200, "updated": 3, "unchanged": 0, "deleted": 0, "trashed": 2, "skipped": 0,
                        "failed": 1},
            "tag": {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0, "trashed": 0, "skipped": 0, "failed": 0},
        }, "1 item(s) failed; see the Logs.", run_id=42),
        ChannelOutcome("b2b", "", "skipped", message="No target store is set for this channel (Channels & Stores)."),
    ])
    lines = summary_lines(outcome, log_file="/data/logs/unopim-desktop.log")
    assert lines[0] == "Pull Full: partial"
    assert "  default → Shop: partial (run 42)" in lines
    assert "    product  1,200 created, 3 updated, 2 trashed, 1 failed" in lines
    assert not any("tag" in line for line in lines)  # nothing happened to tags
    assert "  b2b: skipped — No target store is set for this channel (Channels & Stores)." in lines
    assert lines[-1].startswith("Logs: the window's Logs tab, or `unopim-desktop logs --run 42`")
    assert lines[-1].endswith("the log file /data/logs/unopim-desktop.log.")


def test_a_run_without_json_ends_with_the_summary_and_logs_shows_it(ready, sandbox, capsys, tmp_path):
    assert main(_cli(ready, "sync", "pull", "--full")) == 0
    out = capsys.readouterr()
    assert "Pull Full: done" in out.out and re.search(r"    product +\d+ created", out.out), out.out
    assert "unopim-desktop logs --run" in out.out
    assert "  products: " in out.err and out.err.count("  categories:") == 1  # piped: one line per step

    assert main(_cli(ready, "logs", "--kind", "product", "--limit", "3")) == 0
    shown = capsys.readouterr().out.splitlines()
    assert len(shown) == 4 and all("product " in line for line in shown[:3])
    assert shown[-1].startswith("(3 of ")

    sku = next(p["sku"] for p in sandbox.catalogue.products if not p.get("parent"))
    assert main(_cli(ready, "logs", "--code", sku)) == 0
    assert sku in capsys.readouterr().out

    target = tmp_path / "logs.csv"
    assert main(_cli(ready, "logs", "--direction", "pull", "--csv", str(target))) == 0
    rows = list(csv.reader(target.open(encoding="utf-8-sig")))
    assert rows[0][:3] == ["Time", "Time (UTC)", "Level"] and len(rows) > 12
    assert {r[4] for r in rows[1:]} == {"UnoPim → store"}
    assert f"Wrote {len(rows) - 1:,} row(s)" in capsys.readouterr().out


def test_settings_edits_every_general_setting_and_removes_an_addresss_data(ready, sandbox, capsys):
    assert main(_cli(ready, "settings", "--log-retention-days", "7", "--images", "off", "--close-to-tray", "on",
                     "--start-at-login", "on")) == 0
    out = capsys.readouterr().out
    assert "Keep logs:        7 days" in out and "Image sync:       off" in out
    assert "Close to tray:    on" in out and "Start at login:   on" in out
    assert main(_cli(ready, "settings", "--log-retention-days", "0")) == 2
    assert "Keep logs must be a whole number of days from 1 to 3650" in capsys.readouterr().err

    assert main(_cli(ready, "settings", "--remove-all-data")) == 2  # not a terminal: asks for --yes
    assert "Nothing is deleted in UnoPim or in the stores" in capsys.readouterr().err
    products = len(sandbox.woocommerce.products())
    assert main(_cli(ready, "settings", "--remove-all-data", "--yes")) == 0
    out = capsys.readouterr().out
    assert "Removed everything this app kept for" in out and "1 store connection(s)" in out
    assert "3 stored secret(s)" in out  # UnoPim's client secret and password, the store's secret
    assert "Nothing was deleted in UnoPim or in the stores." in out
    assert len(sandbox.woocommerce.products()) == products  # the store is untouched
    assert main(_cli(ready, "status")) != 0  # no saved connection any more

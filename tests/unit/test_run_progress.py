"""A run's progress on a fake clock: a step's ETA from its own rate, the run's ETA (the longest of the
steps under way), totals that grow (images queued) and steps read at once (n/n)."""

from __future__ import annotations

from unopim_desktop.sync.events import EventBus, StepProgress
from unopim_desktop.sync.run import CancelToken, RunContext


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _run(clock: FakeClock) -> tuple[RunContext, list[StepProgress]]:
    bus = EventBus()
    events: list[StepProgress] = []
    bus.subscribe(lambda e: events.append(e) if isinstance(e, StepProgress) else None)
    run = RunContext(None, bus, address="https://pim.example.com", run_id=1, job="pull_full",  # type: ignore[arg-type]
                     channel="web", dry_run=False, cancel=CancelToken(), clock=clock)
    return run, events


def test_a_step_eta_comes_from_its_own_rate_once_items_flow():
    clock = FakeClock()
    run, events = _run(clock)
    run.step_total("products", 100)  # known early (another step read UnoPim's total) …
    clock.now += 30
    run.step_started("products")  # … but its pace counts from its own start
    assert events[-1].total == 100 and events[-1].eta_s is None  # nothing done yet: no guess
    run.advance("products", 10)  # a burst at the very start promises nothing
    assert events[-1].eta_s is None
    clock.now += 10
    run.advance("products", 0)
    assert events[-1].eta_s == 90.0 and events[-1].run_eta_s == 90.0  # 10 items in 10 s, 90 left
    run.step_finished("products")
    assert (events[-1].done, events[-1].total, events[-1].eta_s) == (100, 100, 0.0)


def test_the_run_eta_is_the_longest_of_the_steps_under_way():
    clock = FakeClock()
    run, events = _run(clock)
    run.step_started("products", 50)
    run.grow("images", 10)  # the first queued image starts the images' clock
    clock.now += 5
    run.advance("products", 5)  # 1 item/s, 45 left
    run.advance("images", 1)  # 0.2 item/s, 9 left: 45 s
    clock.now += 5
    run.advance("products", 5)  # 1 item/s, 40 left
    run.advance("images", 1)  # 0.2 item/s, 8 left: 40 s
    assert events[-1].run_eta_s == 40.0
    run.step_finished("products")
    assert events[-1].run_eta_s == 40.0
    run.step_finished("images")
    assert events[-1].run_eta_s is None


def test_totals_grow_and_never_fall_below_what_is_done():
    clock = FakeClock()
    run, events = _run(clock)
    run.grow("images", 2)
    run.advance("images", 3)  # one more than announced: the total follows
    assert (events[-1].done, events[-1].total) == (3, 3)
    run.step_total("images", 1)
    assert events[-1].total == 3
    run.counted("channels", 4)
    assert (events[-1].step, events[-1].done, events[-1].total) == ("channels", 4, 4)


def test_log_rows_carry_the_runs_context_and_a_failure_its_server_answer():
    clock = FakeClock()
    run, _ = _run(clock)
    run.failed_item("product", "SKU-1", "Product SKU-1 failed: price", status=422, server_text='{"code":"bad"}')
    run.wrote("product", "SKU-2", "created", "Product SKU-2 created")
    run.log("dry-run: would update product SKU-3 (name)", entity_kind="product", entity="SKU-3")
    rows = run._pending_logs
    assert [r["action"] for r in rows] == ["failed", "created", "would update"]
    assert rows[0]["http_status"] == 422 and rows[0]["server_text"] == '{"code":"bad"}' and rows[0]["level"] == "error"
    assert {(r["channel"], r["direction"], r["run"]) for r in rows} == {("web", "pull", 1)}
    assert run.summary()["product"]["failed"] == 1 and run.summary()["product"]["created"] == 1

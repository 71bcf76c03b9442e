"""Which runs give a desktop notification, and what it says: one per troubled scheduled run (failed, finished
with errors, held by a guard, refused), the same trouble not said again until the job runs clean, never for
a clean, skipped or cancelled run; a long manual run that ends while the window is hidden."""

from __future__ import annotations

from unopim_desktop.app.notices import NoticePolicy
from unopim_desktop.app.scheduler import JobResult
from unopim_desktop.sync.events import RunFinished, RunStarted


def result(status: str, message: str = "", job: str = "pull", action: str = "ran", run_id: int = 7) -> JobResult:
    return JobResult("default", job, action, status=status, run_id=run_id, message=message,
                     summary={"product": {"created": 0, "updated": 2, "failed": 1 if status == "partial" else 0}})


def test_one_notice_per_troubled_run_and_not_again_for_the_same_trouble():
    policy = NoticePolicy()
    partial = policy.scheduled(result("partial", "1 item(s) failed; see the Logs."))
    assert partial is not None and (partial.title, partial.level, partial.run_id) == (
        "Scheduled Pull Delta of default finished with errors", "warning", 7)
    assert partial.text == "1 item(s) failed; see the Logs. (2 updated, 1 failed)"
    assert policy.scheduled(result("partial", "1 item(s) failed; see the Logs.", run_id=8)) is None  # a flood, not
    assert policy.scheduled(result("done", run_id=9)) is None  # clean again
    assert policy.scheduled(result("partial", "1 item(s) failed; see the Logs.", run_id=10)) is not None
    held = policy.scheduled(result("held", "UnoPim listed 0 of 40 linked products; nothing was deleted.", job="push"))
    assert held is not None and held.title == "Scheduled Push Changed of default is held: it needs your confirmation"
    refused = policy.scheduled(result("refused", "No field mapping has been saved"))
    assert refused is not None and refused.level == "error" and refused.title.endswith("was refused")
    failed = policy.scheduled(result("failed", "Stopped: UnoPim did not answer"))
    assert failed is not None and failed.title == "Scheduled Pull Delta of default failed"


def test_no_notice_for_a_clean_skipped_or_cancelled_run():
    policy = NoticePolicy()
    assert policy.scheduled(result("done")) is None
    assert policy.scheduled(result("", "A pull of channel default is already running", action="skipped")) is None
    assert policy.scheduled(result("cancelled")) is None


def test_a_long_manual_run_that_ends_while_the_window_is_hidden():
    now = [0.0]
    policy = NoticePolicy(monotonic=lambda: now[0], long_run_s=60)
    started = RunStarted(3, "pull_full", "default", "Shop", False, ())
    finished = RunFinished(3, "pull_full", "default", "done", {"product": {"created": 40}})
    policy.manual_started(started)
    now[0] = 59
    assert policy.manual_finished(finished, hidden=True, wanted=True) is None  # short
    policy.manual_started(started)
    now[0] = 200
    assert policy.manual_finished(finished, hidden=False, wanted=True) is None  # the window shows it
    policy.manual_started(started)
    now[0] = 400
    assert policy.manual_finished(finished, hidden=True, wanted=False) is None  # turned off
    policy.manual_started(started)
    now[0] = 600
    notice = policy.manual_finished(finished, hidden=True, wanted=True)
    assert notice is not None and (notice.title, notice.text, notice.run_id) == (
        "Pull Full of default finished", "done: 40 created.", 3)

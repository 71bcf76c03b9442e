"""Scripted sandbox faults for the retry and deadline tests, and the short policies those tests inject so
that no test waits the real ~20 s a form allows."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from unopim_desktop.clients.http import RetryPolicy
from unopim_desktop.sandbox.faults import FaultRule
from unopim_desktop.sandbox.launcher import Sandbox

# A form's policy scaled down: the same shape as clients.http.form_policy (two tries, a budget that
# covers both), in fractions of a second.
SHORT_FORM = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02, max_retry_after=0.5, request_deadline=0.3,
                         deadline=0.8)
# A sync call that retries at once (Retry-After 0 in the scripted faults) and cuts a request at 0.5 s.
QUICK = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, request_deadline=0.5)


@contextlib.contextmanager
def scripted(sandbox: Sandbox, peer: str, *rules: FaultRule) -> Iterator[list[FaultRule]]:
    """`rules` on one peer of a running sandbox for the `with` block; yields them (their `hits` count)."""
    config = sandbox.faults[peer]
    config.rules[:] = list(rules)
    try:
        yield list(rules)
    finally:
        config.rules.clear()

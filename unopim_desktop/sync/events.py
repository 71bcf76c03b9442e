"""Typed events the engine emits; the GUI's bridge turns them into Qt signals, the CLI prints them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StatusChanged:
    address: str
    state: str  # connected | refreshing | failed | not_connected


@dataclass(frozen=True)
class LogRow:
    message: str
    level: str = "info"
    category: str = "general"
    entity_kind: str = ""
    entity: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # run_id, channel, action, http_status


class EventBus:
    """Synchronous fan-out. Subscribers must be quick (a Qt signal emit, a print)."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        self._subscribers.append(fn)
        return lambda: self._subscribers.remove(fn) if fn in self._subscribers else None

    def emit(self, event: Event) -> None:
        for fn in list(self._subscribers):
            try:
                fn(event)
            except Exception:  # one broken subscriber must not stop the engine
                log.exception("event subscriber failed")


@dataclass(frozen=True)
class RunStarted:
    run_id: int
    job: str
    channel: str
    store: str
    dry_run: bool
    steps: tuple[str, ...]


@dataclass(frozen=True)
class StepProgress:
    run_id: int
    step: str
    done: int
    total: int | None  # None while unknown
    eta_s: float | None = None  # this step's; 0.0 marks it finished
    message: str = ""
    run_eta_s: float | None = None  # the whole run's (the longest of the steps under way); None while unknown


def eta_text(seconds: float | None) -> str:
    """How a step's or a run's ETA reads, the same in the window and in a terminal ("" while unknown)."""
    if seconds is None:
        return ""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"~{seconds} s left"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"~{minutes} min {secs:02d} s left"
    hours, minutes = divmod(minutes, 60)
    return f"~{hours} h {minutes:02d} min left"


@dataclass(frozen=True)
class RunFinished:
    run_id: int
    job: str
    channel: str
    status: str  # done | partial | failed | cancelled
    summary: dict[str, dict[str, int]]
    message: str = ""


Event = StatusChanged | LogRow | RunStarted | StepProgress | RunFinished
Subscriber = Callable[[Event], None]

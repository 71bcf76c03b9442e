"""Request counters that tests and benchmarks read to check how the app talked to a peer."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class RequestStats:
    """Counts requests by (method, route template) and by status, thread-safe.

    The servers run in a uvicorn thread while tests read the counts from another.
    """

    _by_route: Counter[tuple[str, str]] = field(default_factory=Counter)
    _by_status: Counter[int] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, method: str, route: str, status: int) -> None:
        with self._lock:
            self._by_route[(method.upper(), route)] += 1
            self._by_status[status] += 1

    def total(self) -> int:
        with self._lock:
            return sum(self._by_route.values())

    def count(self, method: str | None = None, route: str | None = None) -> int:
        """Requests matching a method and/or a route template (exact, or a prefix ending in '*')."""
        with self._lock:
            items = list(self._by_route.items())
        n = 0
        for (m, r), c in items:
            if method and m != method.upper():
                continue
            if route and not (r.startswith(route[:-1]) if route.endswith("*") else r == route):
                continue
            n += c
        return n

    def status_count(self, status: int) -> int:
        with self._lock:
            return self._by_status[status]

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "total": sum(self._by_route.values()),
                "by_route": {f"{m} {r}": c for (m, r), c in sorted(self._by_route.items())},
                "by_status": {str(s): c for s, c in sorted(self._by_status.items())},
            }

    def reset(self) -> None:
        with self._lock:
            self._by_route.clear()
            self._by_status.clear()

"""Give memory a large sync no longer needs back to the operating system.

CPython frees a run's objects, but the C allocator keeps the freed pages of its heap for reuse: after a
pull of 100,000 products the process stayed at its peak, and the next run's allocations landed in new
pages beside the old holes. glibc's `malloc_trim` hands the free pages back. Elsewhere this does nothing.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import sys
from collections.abc import Callable

log = logging.getLogger(__name__)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, looked up on first use (not at import: start-up pays nothing for it). The
    process's own symbols include the C library, so no library search is needed."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim  # glibc only (musl has none)
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """Return the C heap's free pages to the system; True if it did. Blocking: call it off the GUI thread
    (ctypes lets go of the GIL for the call)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    try:
        return bool(trim(0))
    except OSError as exc:  # pragma: no cover - a libc without it would not have resolved
        log.debug("malloc_trim failed: %s", exc)
        return False

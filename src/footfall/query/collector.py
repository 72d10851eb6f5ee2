"""Keep Python's cycle collector out of building a large report.

A year of hours is some 9,000 row dicts plus their lists: tens of thousands of container
objects that all live until the report is serialised. CPython starts a collection every
few hundred container allocations; the rows survive those, get promoted, and every few
requests trigger a full collection that walks the whole process heap (the app, SQLAlchemy,
pydantic: hundreds of thousands of objects), which cost more than building the report.
The rows hold no reference cycles and are freed by reference counting once the response
is built, so the collector has nothing to find in them; pausing it for that short stretch
is the Mercurial `util.nogc` idiom. Threads share the collector: the pause is counted, and
collection resumes when the last overlapping report is done.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0  # reports currently inside `collector_paused`
_resume = False  # whether the collector was on when the first of them started


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block without cyclic garbage collection (reference counting still frees)."""
    global _paused, _resume
    with _lock:
        if _paused == 0:
            _resume = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _resume:
                gc.enable()

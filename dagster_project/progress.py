"""Progress of the long steps for whoever watches the run in this process: the CLI draws Rich bars from
it; in the UI the same steps log `done/total` lines to the run log. Reporting costs nothing when nobody
listens, so the assets report every page."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator, Optional

Listener = Callable[[str, int, Optional[int]], None]
_listeners: list[Listener] = []


def report(step: str, done: int, total: Optional[int]) -> None:
    """``step`` has done ``done`` of ``total`` items (``total`` None: a step with no count, e.g. dbt)."""
    for listener in _listeners:
        listener(step, done, total)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)

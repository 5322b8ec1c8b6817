"""Run a function in a forked copy of this process, to use the second core on a large input.

A fork shares everything this process holds at the moment (no arguments are pickled)
and Python's salted string hashes, which the digests in ``twins.py`` rely on. Only the
results come back, pickled through a pipe. Callers check ``available()`` first (there
is no fork on Windows) and otherwise run the function here.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.queues
import queue
import traceback
from collections.abc import Callable
from typing import Any


def available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


class Forked:
    """``fn(send)`` started now in a forked process: what it sends arrives here as it comes, taken
    without waiting (``arrived``) or until ``fn`` has returned (``rest``). Sending does not wait for
    the taking: a thread of the forked process writes to the pipe."""

    def __init__(self, fn: Callable[[Callable[[Any], None]], None]):
        ctx = multiprocessing.get_context("fork")
        self._queue: multiprocessing.queues.Queue[tuple[str, Any]] = ctx.Queue()
        self._process = ctx.Process(target=_serve, args=(self._queue, fn), daemon=True)
        self._process.start()
        self._done = False

    def arrived(self) -> list[Any]:
        out = []
        while not self._done:
            try:
                message = self._queue.get_nowait()
            except queue.Empty:
                break
            out.extend(self._open(message))
        return out

    def rest(self) -> list[Any]:
        out = []
        while not self._done:
            try:
                message = self._queue.get(timeout=1)
            except queue.Empty:
                if not self._process.is_alive() and self._queue.empty():
                    raise RuntimeError(f"the forked process ended early (exit code {self._process.exitcode})") from None
                continue
            out.extend(self._open(message))
        self._process.join()
        return out

    def _open(self, message: tuple[str, Any]) -> list[Any]:
        kind, value = message
        if kind == "failed":
            raise RuntimeError(f"the forked process failed:\n{value}")
        self._done = kind == "end"
        return [value] if kind == "sent" else []


class TwoEnded:
    """Work items 0..n-1 that one process takes from the front and a forked one from the back, until
    they meet: each does as much as its speed allows."""

    def __init__(self, n: int):
        self._ends = multiprocessing.get_context("fork").Array("q", [0, n])  # shared through the fork, with a lock

    def take(self, front: bool) -> int | None:
        with self._ends.get_lock():
            lo, hi = self._ends[0], self._ends[1]
            if lo >= hi:
                return None
            self._ends[0 if front else 1] = lo + 1 if front else hi - 1
            return lo if front else hi - 1


def _serve(out: multiprocessing.queues.Queue[tuple[str, Any]], fn: Callable[[Callable[[Any], None]], None]) -> None:
    try:
        fn(lambda value: out.put(("sent", value)))
        out.put(("end", None))
    except BaseException:  # noqa: BLE001 - any failure goes back to the caller, which raises it
        out.put(("failed", traceback.format_exc()))

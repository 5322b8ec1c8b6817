"""Run a function in a forked copy of this process, to use the second core on a large input.

A fork shares everything this process holds at the moment (no arguments are pickled)
and Python's salted string hashes, which the digests in ``twins.py`` rely on. Only the
result comes back, pickled through a pipe. Callers check ``available()`` first (there
is no fork on Windows) and otherwise run the function here.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

R = TypeVar("R")


def available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


class Forked(Generic[R]):
    """``fn`` started now in a forked process; ``result()`` waits for it."""

    def __init__(self, fn: Callable[[], R]):
        ctx = multiprocessing.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_serve, args=(send, fn), daemon=True)
        self._process.start()
        send.close()

    def result(self) -> R:
        try:
            ok, value = self._recv.recv()
        except EOFError:
            raise RuntimeError(f"the forked process ended without a result (exit code {self._process.exitcode})") from None
        finally:
            self._recv.close()
            self._process.join()
        if not ok:
            raise RuntimeError(f"the forked process failed:\n{value}")
        return value


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


def _serve(send: Connection, fn: Callable[[], object]) -> None:
    try:
        message = (True, fn())
    except BaseException:  # noqa: BLE001 - any failure goes back to the caller, which raises it
        message = (False, traceback.format_exc())
    send.send(message)
    send.close()

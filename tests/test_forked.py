"""The fork helpers the validator uses on large inputs: results arrive, failures are raised, work is shared."""

from __future__ import annotations

import pytest

from nk_troops.validate.forked import Forked, TwoEnded, available


def test_fork_is_available_here() -> None:
    assert available()  # CI runs on Linux: the two-process path of the validator is exercised there


def test_forked_sends_as_it_goes() -> None:
    forked = Forked(lambda send: [send(i) for i in range(3)])
    assert forked.rest() == [0, 1, 2]


def test_forked_failure_is_raised_with_its_traceback() -> None:
    forked = Forked(lambda send: send(1 / 0))
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        forked.rest()


def test_two_ended_queue_hands_out_each_item_once() -> None:
    queue = TwoEnded(5)
    taken = [queue.take(True), queue.take(True), queue.take(False), queue.take(False), queue.take(False)]
    assert taken == [0, 1, 4, 3, 2]
    assert queue.take(True) is None and queue.take(False) is None


def test_forked_process_that_dies_is_reported() -> None:
    import os

    forked = Forked(lambda send: os._exit(3))
    with pytest.raises(RuntimeError, match="exit code 3"):
        forked.rest()

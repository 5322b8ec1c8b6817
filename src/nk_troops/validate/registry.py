"""The rule registry: each rule is one function, registered with the codes it may raise and the inputs it needs.

A rule ``on`` a table runs over its shape-valid rows a chunk at a time, ``fn(run, table, rows)`` (with ``finish``, once more when the
table has been read, rows None); a rule ``on`` nothing runs once after every file is read, ``fn(run)``. A rule runs when all the inputs
it ``needs`` were given. The build renders the registry as the rules table of docs/VALIDATION.md (``release/generated.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..incidents import CATALOGUE, Incident

# codes raised before any rule: by the reader (reader.py) and the shape pass (shape.py)
READER_CODES = ("file-missing", "file-empty", "file-encoding", "file-bom", "file-not-regular", "file-too-large", "json-malformed",
    "json-truncated", "json-not-object", "json-duplicate-key", "json-too-deep", "json-number-too-long", "path-unsafe")  # fmt: skip
SHAPE_CODES = tuple(code for code in CATALOGUE if code.startswith("schema-"))


@dataclass(frozen=True)
class Rule:
    name: str
    on: tuple[str, ...]  # the tables it runs over, row by row; () once per run
    codes: tuple[str, ...]
    needs: tuple[str, ...]
    fn: Callable[..., Iterable[Incident]]
    finish: bool = False


RULES: dict[str, Rule] = {}


def rule(*codes: str, on: tuple[str, ...] | str = (), needs: tuple[str, ...] = (), finish: bool = False) -> Any:
    def register(fn: Callable[..., Iterable[Incident]]) -> Callable[..., Iterable[Incident]]:
        if unknown := [c for c in codes if c not in CATALOGUE]:
            raise KeyError(f"rule {fn.__name__} raises codes not in the catalogue: {unknown}")
        RULES[fn.__name__] = Rule(fn.__name__, (on,) if isinstance(on, str) else on, codes, needs, fn, finish)
        return fn

    return register

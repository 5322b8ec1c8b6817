"""The rule registry: each rule is one function, registered with the codes it may raise and the inputs it needs.

A rule ``on`` a table runs over its shape-valid rows a chunk at a time, ``fn(run, table, rows)``
(only over the rows of one ``layer``, when given; with ``finish``, once more when the table has
been read, rows None); a rule ``on`` nothing runs once after every file is read, ``fn(run)``. A rule
runs when all the inputs it ``needs`` were given. ``rules_table`` renders the registry for
docs/VALIDATION.md (a test keeps that file in step).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..incidents import CATALOGUE, OTHER_COMMANDS, Incident
from ..text import markdown_table

# codes raised before any rule: by the reader (reader.py) and the shape pass (shape.py)
READER_CODES = (
    "file-missing", "file-empty", "file-encoding", "file-bom", "file-not-regular", "file-too-large", "json-malformed",
    "json-truncated", "json-not-object", "json-duplicate-key", "json-too-deep", "json-number-too-long", "path-unsafe",
)  # fmt: skip
SHAPE_CODES = tuple(code for code in CATALOGUE if code.startswith("schema-"))


@dataclass(frozen=True)
class Rule:
    name: str
    on: tuple[str, ...]  # the tables it runs over, row by row; () once per run
    codes: tuple[str, ...]
    needs: tuple[str, ...]
    fn: Callable[..., Iterable[Incident]]
    finish: bool = False
    layer: str | None = None


RULES: dict[str, Rule] = {}


def rule(*codes: str, on: tuple[str, ...] | str = (), needs: tuple[str, ...] = (), finish: bool = False, layer: str | None = None) -> Any:
    def register(fn: Callable[..., Iterable[Incident]]) -> Callable[..., Iterable[Incident]]:
        if unknown := [c for c in codes if c not in CATALOGUE]:
            raise KeyError(f"rule {fn.__name__} raises codes not in the catalogue: {unknown}")
        RULES[fn.__name__] = Rule(fn.__name__, (on,) if isinstance(on, str) else on, codes, needs, fn, finish, layer)
        return fn

    return register


def rules_table() -> str:
    """The markdown table of every rule (docs/VALIDATION.md)."""
    rows = [
        ["(reader)", "every file and line can be read as a JSON object", _codes(READER_CODES), "every file", ""],
        ["(shape)", "every record against its JSON Schema (schema/)", _codes(SHAPE_CODES), "every file", ""],
    ]
    for r in RULES.values():
        summary = " ".join((r.fn.__doc__ or "").split())  # the docstring, on one line
        on = ", ".join(r.on) + (f" ({r.layer}s)" if r.layer else "")
        rows.append([f"`{r.name}`", summary, _codes(r.codes), on or "once", ", ".join(r.needs)])
    rows += [[f"({c})", f"raised by `nk-troops {c}`, never by the validator", _codes(codes), "", ""] for c, codes in OTHER_COMMANDS.items()]
    return markdown_table(["rule", "what it checks", "codes", "runs on", "needs"], rows, "lllll") + "\n"


def _codes(codes: Iterable[str]) -> str:
    return " ".join(f"`{c}`" for c in codes)

"""Every code block of README.md and dataset/README.md runs as written, outside the checkout.

The blocks of one file run in order, in one empty folder outside the checkout, with the built wheel installed in
a fresh venv and that venv active (conftest.py): what a user who ran ``pip install nk-troops`` has. By the block's
info string:

- ``bash``, ``sh``, ``python``: run; each must exit 0. A block whose info string also has the word ``checkout``
  (```` ```bash checkout ````) needs the repository and runs in a temporary ``git clone`` of this checkout instead.
- ``json``, ``yaml``: parsed; ``text``: shown only. Any other info string fails the test, so a new kind of block
  gets a decision.

Two lines are not re-run, because the suite stands on them already:

- the install step ``python3 -m venv .venv && . .venv/bin/activate && pip install SPEC``: the venv of the
  installed wheel stands in for it (tests/test_wheel.py builds that wheel from this tree and installs it), and
  the rest of the line runs;
- a line that ends by running ``pytest``: that is this suite. CI runs it (``.ci/run``), so the test requires the
  line to be in ``.ci/run`` verbatim instead of running the suite inside itself.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("README.md", "dataset/README.md")
INSTALL = re.compile(r"^python3 -m venv \.venv && \. \.venv/bin/activate && pip install (\.|\"\.\[[a-z,]+\]\")(?: && |$)")
RUN, PARSE, SHOW = {"bash", "sh", "python"}, {"json", "yaml"}, {"text"}


@dataclass(frozen=True)
class Block:
    line: int  # of the opening fence, 1-based
    lang: str
    checkout: bool
    code: str


def blocks(path: Path) -> list[Block]:
    """The fenced blocks, also those indented under a list item (their lines dedented as Markdown does)."""
    out, lines = [], path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith("```"):
            indent = len(lines[i]) - len(lines[i].lstrip())
            info = lines[i].lstrip()[3:].split()
            end = next(j for j in range(i + 1, len(lines)) if lines[j].lstrip().startswith("```"))
            code = "\n".join(x[min(indent, len(x) - len(x.lstrip(" "))) :] for x in lines[i + 1 : end]) + "\n"
            out.append(Block(i + 1, info[0] if info else "", "checkout" in info[1:], code))
            i = end
        i += 1
    return out


def test_the_block_reader_sees_every_fence():
    for doc in DOCS:
        text = (ROOT / doc).read_text(encoding="utf-8")
        fences = sum(line.lstrip().startswith("```") for line in text.splitlines())
        assert fences == 2 * len(blocks(ROOT / doc)) and fences, doc


def _shell(code: str) -> str:
    """The block with the install step and CI's own command taken out (see the module docstring)."""
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()
    kept = []
    for line in code.splitlines():
        if re.search(r"(^|&& )pytest$", line.strip()):
            assert line.strip() in ci, f"the suite's command is not what .ci/run runs: {line}"
            continue
        kept.append(INSTALL.sub("", line.strip()) if INSTALL.match(line.strip()) else line)
    return "\n".join(kept) + "\n"


def _parse(block: Block) -> None:
    if block.lang == "yaml":
        yaml.safe_load(block.code)
        return
    try:
        json.loads(block.code)
    except ValueError:  # else JSON Lines, as the prediction examples are
        for line in filter(str.strip, block.code.splitlines()):
            json.loads(line)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("checkout") / "nk-troops"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(folder)], check=True)
    return folder


@pytest.mark.parametrize("doc", DOCS)
def test_every_code_block_runs_as_written(doc, installed, clone, tmp_path):
    home = tmp_path / "home"  # one folder per file: its blocks share what the earlier ones wrote
    home.mkdir()
    failures = []
    for block in blocks(ROOT / doc):
        where = f"{doc}:{block.line} ({block.lang}{' checkout' if block.checkout else ''})"
        if block.lang in SHOW:
            continue
        if block.lang in PARSE:
            try:
                _parse(block)
            except (ValueError, yaml.YAMLError) as err:
                failures.append(f"{where}: does not parse: {err}")
            continue
        if block.lang not in RUN:
            failures.append(f"{where}: no rule for this info string; see tests/test_docs.py")
            continue
        cmd = ("python", "-") if block.lang == "python" else ("bash", "-eo", "pipefail", "-s")
        out = installed.run(*cmd, cwd=clone if block.checkout else home, input=block.code if block.lang == "python" else _shell(block.code))
        if out.returncode:
            failures.append(f"{where}: exit {out.returncode}\n{block.code}{out.stdout[-2000:]}{out.stderr[-2000:]}")
    assert not failures, "\n\n".join(failures)

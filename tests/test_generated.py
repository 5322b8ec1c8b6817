"""Generated blocks in README.md, DATASHEET.md and docs/VALIDATION.md equal a fresh computation (run `nk-troops build`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nk_troops.release import blocks
from nk_troops.release.assemble import assemble
from nk_troops.release.generated import expected
from nk_troops.text import markdown_table

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = [
    ("DATASHEET.md", "stats"),
    ("DATASHEET.md", "agreement"),
    ("README.md", "agreement"),
    ("docs/VALIDATION.md", "rules"),
]  # the baselines blocks belong to `nk-troops baseline --results`, not to the build


@pytest.fixture(scope="module")
def fresh():
    return expected(ROOT, assemble(ROOT))


def test_every_generated_block_is_checked(fresh):
    assert set(BLOCKS) == {(file, name) for file, names in fresh.items() for name in names}


@pytest.mark.parametrize(("file", "block"), BLOCKS)
def test_block_is_fresh(fresh, file, block):
    text = (ROOT / file).read_text(encoding="utf-8")
    assert blocks.section(text, block) == fresh[file][block].strip("\n"), f"{file} block {block!r} is stale: run `nk-troops build`"


def test_markdown_table_aligns_columns_and_refuses_a_ragged_row():
    assert markdown_table(["doc", "claims"], [["nk000", 14], ["", 0]], "lr") == "| doc | claims |\n|---|---:|\n| nk000 | 14 |\n|  | 0 |"
    with pytest.raises(ValueError, match="every row needs 2 cells"):
        markdown_table(["doc", "claims"], [["nk000"]], "lr")

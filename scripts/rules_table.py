"""Rewrite the rules table in docs/VALIDATION.md (its ``rules`` block) from the validator's rule registry.

python scripts/rules_table.py   (tests/test_validate.py fails when the table is stale)
"""

from __future__ import annotations

from pathlib import Path

from nk_troops.release import blocks
from nk_troops.validate import rules_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "VALIDATION.md"

if __name__ == "__main__":
    changed = blocks.write(DOC, {"rules": rules_table()})
    print(f"{'rewrote' if changed else 'unchanged:'} the rules table of {DOC}")

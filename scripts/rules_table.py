"""Rewrite the rules table in docs/VALIDATION.md from the validator's rule registry.

python scripts/rules_table.py   (tests/test_validate.py fails when the table is stale)
"""

from __future__ import annotations

import re
from pathlib import Path

from nk_troops.validate import rules_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "VALIDATION.md"

if __name__ == "__main__":
    text = DOC.read_text(encoding="utf-8")
    block = f"<!-- rules:start -->\n{rules_table()}<!-- rules:end -->"
    DOC.write_text(re.sub(r"<!-- rules:start -->.*<!-- rules:end -->", lambda _: block, text, flags=re.S), encoding="utf-8")
    print(f"wrote the rules table of {DOC}")

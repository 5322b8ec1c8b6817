"""Check the dependency floors of pyproject.toml: can the lowest versions it allows be installed together, and
does the suite pass on them?

    python scripts/check_floors.py               # resolve every runtime floor exactly (pip --dry-run, needs the index)
    python scripts/check_floors.py --venv DIR    # also install them into a new venv DIR, with this checkout, and run pytest

A floor that cannot be resolved (``datasets>=5.2`` with ``pyarrow>=20``: datasets 5.2 needs pyarrow 24) is
reported by pip. The test tools of the ``test`` extra are installed at their newest versions.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOOR = re.compile(r"^([A-Za-z0-9_.\-]+(?:\[[^\]]*\])?)\s*>=\s*([0-9][0-9.]*)")


def floors() -> list[str]:
    """``name==floor`` for every runtime dependency; one without a floor is an error."""
    out = []
    for requirement in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]:
        m = FLOOR.match(requirement)
        if not m:
            sys.exit(f"no >= floor: {requirement}")
        out.append(f"{m[1]}=={m[2]}")
    return out


def _self_extras(requirements: list[str]) -> list[str]:
    """The extras of nk-troops that an extra pulls in (``nk-troops[baselines]``)."""
    return [name for r in requirements if r.startswith("nk-troops[") for name in r[len("nk-troops[") : -1].split(",")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, help="install the floors here (a new folder) and run the test suite")
    args = parser.parse_args()
    pins = floors()
    print("\n".join(pins))
    pip = [sys.executable, "-m", "pip", "install", "--prefer-binary", "--disable-pip-version-check"]
    if subprocess.run([*pip, "--dry-run", "--ignore-installed", "--quiet", *pins]).returncode:
        print("the floors cannot be installed together: raise the one pip names", file=sys.stderr)
        return 1
    print("the floors resolve together")
    if args.venv is None:
        return 0
    subprocess.run([sys.executable, "-m", "venv", str(args.venv)], check=True)
    python = str(args.venv / "bin" / "python")
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    test = [r for r in extras["test"] if not r.startswith("nk-troops[")]
    test += [r for name in _self_extras(extras["test"]) for r in extras[name]]
    pinned = {r.split("==")[0] for r in test if "==" in r}  # the test extra pins these (pyarrow: the Parquet bytes)
    print(f"tested at the test extra's pins, not their floors: {', '.join(sorted(pinned)) or 'none'}")
    pins = [p for p in pins if p.split("==")[0].split("[")[0] not in pinned]
    subprocess.run([python, "-m", "pip", "install", "--prefer-binary", "--quiet", *pins, *test], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "-e", str(ROOT)], check=True)
    return subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())

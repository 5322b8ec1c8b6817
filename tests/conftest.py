"""The built wheel, installed in a fresh venv outside the checkout: what a user has (tests/test_wheel.py, tests/test_docs.py)."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SDIST = ("pyproject.toml", "README.md", "LICENSE", "src", "dataset", "schema")  # what the wheel is built from


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    home: Path  # an empty folder outside the checkout, the user's current folder

    @property
    def env(self) -> dict[str, str]:
        """The venv activated, every hub offline, caches inside the temporary folder."""
        hf = str(self.home.parent / "hf")
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        return env | {
            "PATH": f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            "VIRTUAL_ENV": str(self.venv),
            "HF_HOME": hf,
            "HF_DATASETS_CACHE": hf + "/datasets",
            "HF_HUB_OFFLINE": "1",
            "HF_DATASETS_OFFLINE": "1",
            "MPLBACKEND": "Agg",
        }

    def run(self, *cmd: str, cwd: Path | None = None, **kwargs) -> subprocess.CompletedProcess[str]:
        return subprocess.run(cmd, cwd=cwd or self.home, env=self.env, capture_output=True, text=True, timeout=300, **kwargs)


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the wheel offline (--no-build-isolation) from a copy of the sources, install it with --no-deps into
    a fresh venv whose dependencies come from this test environment through a .pth file (no index, no copying)."""
    base = tmp_path_factory.mktemp("wheel")
    assert ROOT not in base.parents, "the installed package must be tried outside the checkout"
    src = base / "src"
    src.mkdir()
    for name in SDIST:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(ROOT / name, src / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    build = subprocess.run(
        [*pip, "wheel", "--no-build-isolation", "--no-deps", "--no-index", "-w", str(base / "dist"), str(src)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = (base / "dist").glob("nk_troops-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    install = subprocess.run(
        [*pip, "--python", str(venv / "bin/python"), "install", "--no-deps", "--no-index", str(wheel)], capture_output=True, text=True
    )
    assert install.returncode == 0, install.stderr
    (purelib,) = venv.glob("lib/python*/site-packages")
    # appended after the venv's own site-packages, so the installed nk_troops shadows the one under test
    (purelib / "_test_environment.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    home = base / "home"
    home.mkdir()
    return Installed(wheel, venv, home)

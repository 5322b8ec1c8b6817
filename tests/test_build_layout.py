"""The package layout shows the flow: each layer imports only layers below it, and no package loop exists.

Imports are read with ``ast`` (lazy imports inside functions count too), so a
loop cannot hide behind a deferred import.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "nk_troops"
BOTTOM = {"model", "incidents", "text", "files", "bio", "paths", "schemas", "matching", "version", "frames", "sources"}
# unit -> rank; a module may import its own unit and units of a lower rank. Units not listed
# (cli, report, __init__, __main__, later packages) sit on top and may import anything.
RANK = {**dict.fromkeys(BOTTOM, 0), "validate": 1, "build": 1, "release": 2, "evaluate": 2, "baselines": 3}


def _unit(module: str) -> str:
    """``nk_troops.release.write`` -> ``release``; ``nk_troops.model`` -> ``model``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> set[str]:
    """Absolute nk_troops module names a file imports."""
    module = ("nk_troops." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("nk_troops")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                name = f"{base}.{node.module}" if node.module else base
                out |= {name} if node.module else {f"{base}.{a.name}" for a in node.names}
            elif node.module and node.module.startswith("nk_troops"):
                out.add(node.module)
    return out


def _graph() -> dict[str, set[str]]:
    """unit -> units it imports (itself excluded)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        unit = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        graph.setdefault(unit, set()).update(_unit(m) for m in _imports(path))
        graph[unit].discard(unit)
    return graph


def test_imports_point_down_only():
    upward = []
    for unit, imported in sorted(_graph().items()):
        if unit not in RANK:
            continue
        for other in sorted(imported):
            if other not in RANK or (RANK[other] >= RANK[unit] and not (RANK[unit] == 0 and other in BOTTOM)):
                upward.append(f"{unit} imports {other}")
    assert upward == []


def test_no_import_loop_between_packages():
    graph = _graph()
    loops = []

    def visit(unit: str, path: list[str]) -> None:
        for other in sorted(graph.get(unit, ())):
            if other in path:
                loops.append(" -> ".join(path[path.index(other) :] + [other]))
            elif other in graph and other not in BOTTOM:
                visit(other, [*path, other])

    for unit in sorted(set(graph) - BOTTOM):
        visit(unit, [unit])
    assert loops == []


def test_the_reader_sees_relative_and_lazy_imports():
    imported = _imports(PACKAGE / "release" / "write.py")
    assert {"nk_troops.paths", "nk_troops.release.assemble", "nk_troops.release.card"} <= imported
    assert "nk_troops.baselines" not in {m.rsplit(".", 1)[0] for m in _imports(PACKAGE / "release" / "generated.py")}

"""The shape of src/kebao, held against docs/architecture.md: no import cycles, one home per decision, sizes.

These read the source as text (ast); nothing is imported or run.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from .paths import REPO

SRC = REPO / "src"
PACKAGE = SRC / "kebao"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
REASON = "# size:"  # a long module or function says why next to it: "# size: one table of …"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """The kebao modules ``path`` imports when it runs: at the top and inside functions (lazy imports count).

    Imports under ``if TYPE_CHECKING:`` never run and are left out.
    """
    name, known = module_name(path), {module_name(p) for p in MODULES}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            node.body = []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {module for module in found if module in known and module != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_there_is_no_import_cycle_in_src() -> None:
    graph = {module_name(path): imports(path) for path in MODULES}
    assert graph["kebao.packs.build"] >= {"kebao.paths", "kebao.packs.context"}, "the graph is read"
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def sources_containing(pattern: str) -> list[str]:
    found = re.compile(pattern)
    return sorted(path.relative_to(PACKAGE).as_posix() for path in MODULES
                  if found.search(path.read_text(encoding="utf-8")))


def test_the_packs_folder_and_the_default_timeout_are_spelled_once() -> None:
    assert sources_containing(r"build/packs") == ["paths.py"]
    assert sources_containing(r"(?<![\d.])600(\.0)?(?![\d.])") == ["paths.py"]


def test_there_is_one_atomic_write_helper() -> None:
    assert sources_containing(r"mkstemp|[\"']\.partial|\.tmp[\"']|fsync") == ["atomic.py"]


def test_errors_are_defined_in_the_error_module() -> None:
    defined = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(getattr(base, "id", "").endswith("Error")
                                                      for base in node.bases):
                defined.append(f"{path.relative_to(PACKAGE).as_posix()}:{node.name}")
    assert defined and all(entry.startswith("errors.py:") for entry in defined), defined


def test_no_module_or_function_is_long_without_a_reason() -> None:
    too_long = []
    for path in MODULES:
        lines = path.read_text(encoding="utf-8").splitlines()
        name = path.relative_to(PACKAGE).as_posix()
        if len(lines) > MAX_MODULE_LINES and not any(REASON in line for line in lines[:40]):
            too_long.append(f"{name}: {len(lines)} lines")
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                first = node.lineno - 1 - len(node.decorator_list)
                nearby = lines[max(first - 1, 0): node.lineno + 1]
                if length > MAX_FUNCTION_LINES and not any(REASON in line for line in nearby):
                    too_long.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    assert too_long == [], f"split these, or say why next to them with '{REASON}'"


def module_map() -> str:
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    start = text.index("## Module map")
    end = text.find("\n## ", start + 1)
    return text[start: end if end != -1 else len(text)]


def test_every_module_is_in_the_architecture_module_map() -> None:
    listed = module_map()
    missing = [path.relative_to(PACKAGE).as_posix() for path in MODULES if path.name != "__init__.py"
               and f"`{path.relative_to(PACKAGE).as_posix()}`" not in listed]
    packages = [f"{path.parent.relative_to(PACKAGE).as_posix()}/" for path in MODULES
                if path.name == "__init__.py" and path.parent != PACKAGE]
    missing += [package for package in packages if f"`{package}`" not in listed]
    assert missing == [], "docs/architecture.md's module map lacks these"


def test_the_module_map_names_no_module_that_is_gone() -> None:
    named = re.findall(r"`([a-z_/]+(?:\.py|/))`", module_map())
    assert named, "the map names modules as `packs/build.py`"
    gone = [name for name in named if not (PACKAGE / name).exists()]
    assert gone == []


@pytest.mark.parametrize("pattern", [r"\._places\b", r"\._source\b"])
def test_private_catalogue_attributes_stay_in_the_catalogue(pattern: str) -> None:
    assert set(sources_containing(pattern)) <= {"catalog.py", "model.py"}

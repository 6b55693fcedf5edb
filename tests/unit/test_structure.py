"""The code's shape, checked: imports run one way and in no circle.

Every import counts, wherever it is written (module level, inside a function, under
TYPE_CHECKING): a cycle hidden by a lazy import is still a cycle to the reader.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "interviewer"
# The command line is the composition root: it alone may start the browser app.
UI, CLI = "interviewer.ui", "interviewer.cli"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[str, list[str]]]:
    """(module imported, names taken from it) for every import in the file, relative ones resolved."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.extend((a.name, []) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)] if node.level else []
            target = ".".join([*base, node.module] if node.module else base)
            out.append((target, [a.name for a in node.names]))
    return out


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in files.items():
        edges[name]  # every module is a node
        for target, names in imports_of(path):
            for candidate in [f"{target}.{n}" for n in names] + [target]:
                while candidate and candidate not in files:
                    candidate = candidate.rpartition(".")[0]
                if candidate and candidate != name:
                    edges[name].add(candidate)
                    break
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in list(edges):
        if v not in index:
            visit(v)
    return found


def test_the_package_has_no_import_cycle():
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_library_never_imports_the_app_the_command_line_evals_or_tests():
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        for target, _ in imports_of(path):
            top = target.split(".")[0]
            if top in ("evals", "tests"):
                wrong.append(f"{name} imports {target}")
            if target.startswith(UI) and not name.startswith((UI, CLI)):
                wrong.append(f"{name} imports {target}")
            if target.startswith(CLI) and not name.startswith(CLI):
                wrong.append(f"{name} imports {target}")
            if top == "gradio" and not name.startswith(UI):
                wrong.append(f"{name} imports gradio")
    assert wrong == []


def test_no_module_takes_another_modules_private_names():
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        for target, names in imports_of(path):
            if target.startswith("interviewer"):
                wrong += [f"{module_name(path)}: {target}.{n}" for n in names if n.startswith("_") and n != "__version__"]
    assert wrong == []


def test_evals_never_import_tests():
    wrong = [f"{p.relative_to(REPO)} imports {t}" for p in (REPO / "evals").rglob("*.py")
             for t, _ in imports_of(p) if t.split(".")[0] == "tests"]
    assert wrong == []

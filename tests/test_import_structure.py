"""The import package is a one-way pipeline: no module imports a later stage, and no two
modules import each other, not even from inside a function."""

import ast
import pkgutil
from pathlib import Path

import investigations.importers as package
from investigations.importers import PIPELINE

PACKAGE_DIR = Path(package.__file__).parent
STAGE = {module: number for number, stage in enumerate(PIPELINE) for module in stage}


def package_imports(module):
    """The package's modules that ``module`` imports, at any depth of its code."""
    tree = ast.parse((PACKAGE_DIR / f"{module}.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            absolute = node.module or ""
            if node.level == 1 and not absolute:
                found.update(alias.name for alias in node.names)
            elif node.level == 1:
                found.add(absolute.split(".")[0])
            elif absolute.startswith("investigations.importers."):
                found.add(absolute.split(".")[2])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("investigations.importers."):
                    found.add(alias.name.split(".")[2])
    return found - {module}


def modules():
    return sorted(info.name for info in pkgutil.iter_modules([str(PACKAGE_DIR)]))


def test_every_module_of_the_package_has_its_stage():
    assert set(modules()) == set(STAGE)


def test_no_module_imports_a_later_stage_or_a_module_beside_it_that_imports_it_back():
    backwards = []
    for module in modules():
        for imported in package_imports(module):
            if STAGE[imported] > STAGE[module]:
                backwards.append(f"{module} imports the later {imported}")
    assert backwards == []


def test_the_package_has_no_import_cycle():
    graph = {module: package_imports(module) for module in modules()}
    visiting, done, cycles = set(), set(), []

    def visit(module, path):
        if module in visiting:
            cycles.append(" → ".join([*path, module]))
            return
        if module in done:
            return
        visiting.add(module)
        for imported in sorted(graph[module]):
            visit(imported, [*path, module])
        visiting.discard(module)
        done.add(module)

    for module in graph:
        visit(module, [])
    assert cycles == []


def test_the_leaves_import_nothing_of_the_package():
    assert {m: package_imports(m) for m in PIPELINE[0]} == {m: set() for m in PIPELINE[0]}


def test_the_checker_sees_an_import_inside_a_function(tmp_path, monkeypatch):
    monkeypatch.setattr("tests.test_import_structure.PACKAGE_DIR", tmp_path)
    (tmp_path / "late.py").write_text("def f():\n    from .plan import Planner\n")
    assert package_imports("late") == {"plan"}

"""What the code imports is what the package declares: a module-level import of a third-party package
needs a required dependency, an import inside a function (used only by one feature) at least an extra; the
version has one source; `serve --server uvicorn` without the uvicorn extra says what to install."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest

import schemareg
from schemareg.cli import run
from tests.support.server import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
OWN = {"schemareg", "schemareg_api", "schemareg_client"}


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """Top-level package names imported at module level, and inside functions."""
    module_level: set[str] = set()
    nested: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    inside = {id(node) for function in functions for node in ast.walk(function)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        (nested if id(node) in inside else module_level).update(name.split(".")[0] for name in names)
    return module_level, nested


def _type_checking_only(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in ast.walk(node):
                if isinstance(child, ast.Import):
                    found.update(alias.name.split(".")[0] for alias in child.names)
                elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                    found.add(child.module.split(".")[0])
    return found


def test_every_import_is_declared() -> None:
    distributions = importlib.metadata.packages_distributions()
    required = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    extras = {
        _name(r)
        for name, requirements in PYPROJECT["project"]["optional-dependencies"].items()
        if name != "dev"
        for r in requirements
    }
    missing = []
    for folder in ("registry", "api"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            module_level, nested = _imports(path)
            typing_only = _type_checking_only(path)
            for package, allowed in ((module_level - typing_only, required), (nested, required | extras)):
                for top in sorted(package - OWN - set(sys.stdlib_module_names)):
                    names = {d.lower().replace("_", "-") for d in distributions.get(top, [top])}
                    if not names & allowed:
                        missing.append(f"{path.relative_to(ROOT)}: {top} ({', '.join(sorted(names))})")
    assert not missing, "imported but not declared in pyproject.toml:\n" + "\n".join(missing)


def test_the_version_has_one_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert "version" not in PYPROJECT["project"] and "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "schemareg.__version__"}
    assert importlib.metadata.version("schemareg") == schemareg.__version__
    for flag in ("--version", "-V"):
        assert run([flag]) == 0
        assert schemareg.__version__ in capsys.readouterr().out


def test_uvicorn_is_an_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "uvicorn" not in {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    from schemareg_api import cli as serve_cli
    from schemareg_api.settings import Settings

    real = serve_cli.importlib.util.find_spec
    monkeypatch.setattr(
        serve_cli.importlib.util, "find_spec", lambda name, *a: None if name == "uvicorn" else real(name, *a)
    )
    with pytest.raises(serve_cli.ServeError, match=r"schemareg\[uvicorn\]"):
        serve_cli.check(Settings.load({"server": "uvicorn"}))

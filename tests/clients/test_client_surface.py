"""The public surface of `schemareg_client` is what it claims: `__all__` is complete and sorted, modules
are private, the exception tree in the docstring is the real one, the sync and async clients have the
same methods, and the package imports neither `registry` nor `api` (it ships as its own wheel)."""

from __future__ import annotations

import ast
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import schemareg_client
from schemareg_client import _exceptions
from tests.clients.conftest import SOURCE

PACKAGE = SOURCE / "schemareg_client"


def test_all_is_the_public_surface() -> None:
    exported = schemareg_client.__all__
    assert len(exported) == len(set(exported))
    public = {name for name in vars(schemareg_client) if not name.startswith("_")} - {"annotations"}
    assert public == set(exported) - {"__version__"}
    for name in exported:
        assert getattr(schemareg_client, name) is not None


def test_modules_are_private_and_declare_all() -> None:
    for path in PACKAGE.glob("*.py"):
        assert path.name == "__init__.py" or path.name.startswith("_"), path.name
        tree = ast.parse(path.read_text())
        assert ast.get_docstring(tree), f"{path.name} has no module docstring"
        assert any(
            isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets)
            for node in tree.body
        ), f"{path.name} has no __all__"
    assert (PACKAGE / "py.typed").is_file()


def test_the_exception_tree_is_drawn_as_it_is() -> None:
    drawn: dict[str, str] = {}
    parents: list[str] = []
    for line in (_exceptions.__doc__ or "").splitlines():
        match = re.match(r"^((?:│   |    )*)(?:[├└]── )?([A-Z]\w+)(?:\s|$)", line)
        if not match or not line.strip():
            continue
        depth = len(match.group(1)) // 4 + (1 if "──" in line else 0)
        name = match.group(2)
        del parents[depth:]
        if parents:
            drawn[name] = parents[-1]
        parents.append(name)
    real = {
        name: cls.__mro__[1].__name__
        for name, cls in vars(schemareg_client).items()
        if inspect.isclass(cls)
        and issubclass(cls, schemareg_client.SchemaregError)
        and cls is not schemareg_client.SchemaregError
    }
    assert drawn == real


def test_sync_and_async_clients_have_the_same_methods() -> None:
    def methods(cls: type) -> dict[str, inspect.Signature]:
        return {
            name: inspect.signature(member)
            for name, member in vars(cls).items()
            if callable(member) and not name.startswith("_") and name not in {"close", "aclose", "from_env"}
        }

    sync, asynchronous = methods(schemareg_client.Client), methods(schemareg_client.AsyncClient)
    assert set(sync) == set(asynchronous)
    for name, signature in sync.items():
        assert list(signature.parameters) == list(asynchronous[name].parameters), name
        assert inspect.iscoroutinefunction(getattr(schemareg_client.AsyncClient, name)), name
    for name in (
        "create_project",
        "post_snapshot",
        "expected",
        "check",
        "release",
        "promote",
        "diff",
        "changelog",
    ):
        assert name in sync
    assert list(inspect.signature(schemareg_client.Client).parameters)[:2] == ["base_url", "token"]


def test_no_import_of_the_server_packages() -> None:
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in {
                    "schemareg",
                    "schemareg_api",
                    "litestar",
                    "dulwich",
                    "sqlglot",
                    "psycopg",
                }, f"{path.name} imports {name}"
    code = (
        "import sys, schemareg_client; "
        "print(sorted(m for m in ('schemareg', 'schemareg_api', 'litestar', 'dulwich', 'sqlglot', 'psycopg') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(SOURCE)},
        cwd=Path(SOURCE).parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"

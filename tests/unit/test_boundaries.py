"""The package boundaries, read from the source with `ast` (every import counts: top-level, inside a
function, under `if TYPE_CHECKING:`, and `importlib.import_module("...")` with a literal name).

- The core (`schemareg`, folder registry/) never imports the app (`schemareg_api`) or the client
  (`schemareg_client`), except its composition root `schemareg.cli`, which composes them (serve, remote).
- The client imports neither the core nor the app; only `verify_database` may import the core, optionally.
- No import cycles among the core's modules; only the store package (the plumbing) imports dulwich.
- No class in the core over 300 lines, no module over 600 (an explicit, argued allow-list).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {
    "schemareg": ROOT / "registry",
    "schemareg_api": ROOT / "api",
    "schemareg_client": ROOT / "clients" / "python" / "src" / "schemareg_client",
}
COMPOSITION_ROOT = "schemareg.cli"
CLIENT_MAY_IMPORT_CORE = {"schemareg_client._verify"}  # verify_database introspects, if the core is there


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, folder in PACKAGES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((package, *parts))] = path
    return found


MODULES = _modules()


def _imported_names(module: str, path: Path) -> Iterator[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value


def _imports() -> dict[str, set[str]]:
    return {module: set(_imported_names(module, path)) for module, path in MODULES.items()}


IMPORTS = _imports()


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def test_the_reader_sees_lazy_imports() -> None:
    """The reader finds what a `sys.modules` check would miss: imports inside functions."""
    assert "schemareg_api.cli" in IMPORTS["schemareg.cli.serve"]  # imported when `serve` runs
    assert "schemareg.introspect" in IMPORTS["schemareg_client._verify"]  # by import_module


def test_the_core_never_imports_the_app_or_the_client() -> None:
    offenders = sorted(
        f"{module} imports {name}"
        for module, names in IMPORTS.items()
        if _top(module) == "schemareg"
        and not (module == COMPOSITION_ROOT or module.startswith(COMPOSITION_ROOT + "."))
        for name in names
        if _top(name) in ("schemareg_api", "schemareg_client")
    )
    assert offenders == []


def test_only_the_composition_root_imports_the_client() -> None:
    importers = {
        module
        for module, names in IMPORTS.items()
        if _top(module) != "schemareg_client" and any(_top(name) == "schemareg_client" for name in names)
    }
    assert all(module.startswith(COMPOSITION_ROOT) for module in importers), importers


def test_the_client_imports_neither_the_core_nor_the_app() -> None:
    offenders = sorted(
        f"{module} imports {name}"
        for module, names in IMPORTS.items()
        if _top(module) == "schemareg_client"
        for name in names
        if _top(name) == "schemareg_api"
        or (_top(name) == "schemareg" and module not in CLIENT_MAY_IMPORT_CORE)
    )
    assert offenders == []


def test_only_the_store_imports_dulwich() -> None:
    """The store is the plumbing: the rest of the core speaks of snapshots and releases, not git objects."""
    importers = {
        module
        for module, names in IMPORTS.items()
        if _top(module) == "schemareg" and any(_top(name) == "dulwich" for name in names)
    }
    assert importers == {"schemareg.store.names", "schemareg.store.repo"}  # the store package's two


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_import_cycles_in_the_core() -> None:
    graph = {
        module: {name for name in names if name in MODULES and _top(name) == "schemareg"}
        for module, names in IMPORTS.items()
        if _top(module) == "schemareg"
    }
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("module", ["schemareg", "schemareg.cli", "schemareg.service"])
def test_importing_the_core_does_not_import_the_web_stack(module: str) -> None:
    code = f"import sys, {module}; print('litestar' in sys.modules, 'schemareg_api' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_the_cli_turns_domain_errors_into_exit_codes_in_one_place() -> None:
    """Each command parses, calls, prints: only `schemareg.cli.app.run` catches the core's root error."""
    handlers = [
        f"{module}:{node.lineno}"
        for module, path in MODULES.items()
        if module == COMPOSITION_ROOT or module.startswith(COMPOSITION_ROOT + ".")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ExceptHandler)
        and node.type is not None
        and "SchemaregError" in ast.unparse(node.type)
    ]
    assert len(handlers) == 1 and handlers[0].startswith("schemareg.cli.app:"), handlers


# -- the size rule ----------------------------------------------------------------------------------------

MAX_CLASS_LINES = 300
MAX_MODULE_LINES = 600
# Exceptions, each with the reason a bigger room reads better, by "module" or "module:Class". None today:
# add one only with an argument a reviewer accepts, never to make this test pass.
SIZE_ALLOWED: dict[str, str] = {}


def _oversized(modules: dict[str, Path]) -> list[str]:
    """Every class over MAX_CLASS_LINES and every module over MAX_MODULE_LINES (classes nested anywhere)."""
    found = []
    for module, path in sorted(modules.items()):
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(f"{module}: {lines} lines")
        for node in ast.walk(ast.parse(text, str(path))):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                length = node.end_lineno - node.lineno + 1
                if length > MAX_CLASS_LINES:
                    found.append(f"{module}:{node.name}: {length} lines")
    return found


def test_no_room_in_the_core_is_too_big() -> None:
    """No class in the core over 300 lines, no module over 600: a newcomer finds a statement kind, a verb
    or a git operation in a room small enough to read."""
    core = {module: path for module, path in MODULES.items() if _top(module) == "schemareg"}
    oversized = [entry for entry in _oversized(core) if entry.rsplit(": ", 1)[0] not in SIZE_ALLOWED]
    assert oversized == []


def test_the_size_rule_finds_a_big_class_and_a_big_module(tmp_path: Path) -> None:
    small = tmp_path / "small.py"
    small.write_text("class A:\n" + "    x = 1\n" * (MAX_CLASS_LINES - 1))
    big_class = tmp_path / "big_class.py"
    big_class.write_text("def f():\n    class B:\n" + "        x = 1\n" * MAX_CLASS_LINES)
    big_module = tmp_path / "big_module.py"
    big_module.write_text("x = 1\n" * (MAX_MODULE_LINES + 1))
    found = _oversized({"small": small, "big_class": big_class, "big_module": big_module})
    assert found == [f"big_class:B: {MAX_CLASS_LINES + 1} lines", f"big_module: {MAX_MODULE_LINES + 1} lines"]

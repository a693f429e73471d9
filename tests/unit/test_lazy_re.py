"""`lazy_compile` behaves as `re.compile` once used, compiles once, and the core's module-level patterns are
all lazy: importing the normaliser, the CLI and the introspector compiles none of them."""

from __future__ import annotations

import re
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from schemareg.lazy_re import lazy_compile

PATTERNS = [
    (r"\bCREATE\s+(?P<kind>TABLE|INDEX)\s+(?P<name>\w+)", re.IGNORECASE),
    (r"'(?:[^']|'')*'", 0),
    (r"--[^\n]*|/\*.*?\*/", re.DOTALL),
]


@given(st.sampled_from(PATTERNS), st.text(alphabet="CREATE table index abc'-*/\n_", max_size=60))
def test_a_lazy_pattern_answers_as_the_compiled_one(source: tuple[str, int], text: str) -> None:
    lazy, eager = lazy_compile(*source), re.compile(*source)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in eager.finditer(text)]
    assert lazy.sub("x", text) == eager.sub("x", text)
    assert lazy.split(text) == eager.split(text)
    assert bool(lazy.match(text)) == bool(eager.match(text))
    assert (lazy.pattern, lazy.flags, lazy.groupindex) == (eager.pattern, eager.flags, eager.groupindex)


def test_it_compiles_once_on_first_use_and_keeps_each_attribute() -> None:
    lazy = lazy_compile(r"a+b")
    assert "_compiled" not in vars(lazy)
    assert lazy.search("xaab") is not None
    compiled = vars(lazy)["_compiled"]
    assert lazy.fullmatch("ab") is not None
    assert vars(lazy)["_compiled"] is compiled
    assert vars(lazy)["search"] == compiled.search  # a plain attribute from now on
    assert lazy_compile(rb"\d+").findall(b"a12b3") == [b"12", b"3"]


def test_no_module_of_the_core_compiles_a_pattern_at_import() -> None:
    code = """
import re, sys
import schemareg.cli, schemareg.cli.app, schemareg.cli.schema, schemareg.introspect.postgres
import schemareg.normalize.apply, schemareg.normalize.compile, schemareg.diff, schemareg.service
from schemareg.lazy_re import _Lazy
eager, lazy, used = [], 0, []
for name, module in list(sys.modules.items()):
    if not name.startswith("schemareg"):
        continue
    for key, value in vars(module).items():
        if isinstance(value, re.Pattern):
            eager.append(f"{name}.{key}")
        elif isinstance(value, _Lazy):
            lazy += 1
            if "_compiled" in vars(value):
                used.append(f"{name}.{key}")
print(lazy)
print(" ".join(eager) or "-")
print(" ".join(used) or "-")
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()
    assert int(out[0]) > 150
    assert out[1] == "-", f"compiled at import, make them lazy_compile: {out[1]}"
    assert out[2] == "-", f"used at import: {out[2]}"

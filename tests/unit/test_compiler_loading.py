"""`compiler_loading`: the compiler loads in a thread while the body runs, the thread is joined and the
interpreter's switch interval is what it was on the way out, whatever the body did. In a new process,
where nothing has loaded the compiler yet."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
from schemareg.introspect.assemble import compiler_loading
from schemareg.normalize import compiler_loaded

before = sys.getswitchinterval()
with compiler_loading({wanted}):
    inside = sys.getswitchinterval()
    {body}
print(compiler_loaded("postgres"), "sqlglot" in sys.modules, inside < before, sys.getswitchinterval() == before)
"""


def run(wanted: bool, body: str = "pass") -> str:
    code = CODE.format(wanted=wanted, body=body)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    return result.stdout.strip() or result.stderr.strip().splitlines()[-1]


def test_the_compiler_is_loaded_on_the_way_out() -> None:
    assert run(True) == "True True True True"


def test_not_wanted_loads_nothing() -> None:
    assert run(False) == "False False False True"


def test_a_failing_body_still_joins_the_loader() -> None:
    assert run(True, body="raise KeyError('the read failed')") == "KeyError: 'the read failed'"
    code = """
import sys, threading
from schemareg.introspect.assemble import compiler_loading
from schemareg.normalize import compiler_loaded

before = sys.getswitchinterval()
try:
    with compiler_loading(True):
        raise KeyError("the read failed")
except KeyError:
    pass
print(compiler_loaded("postgres"), threading.active_count(), sys.getswitchinterval() == before)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "True 1 True", result.stderr


def test_overlapping_inspections_give_the_interval_back_once_both_are_done() -> None:
    """One inspection starts loading, a second starts, the first ends, then the second: the short turns
    last while either loads, and the interval is the process's again after both."""
    code = """
import sys, threading
from schemareg.introspect import assemble

before = sys.getswitchinterval()
inside, release = threading.Event(), threading.Event()

def first():
    with assemble.compiler_loading(True):
        inside.set()
        release.wait(30)

thread = threading.Thread(target=first)
thread.start()
inside.wait(30)
assemble.compiler_loaded = lambda dialect: False  # as if the compiler were still loading
seen = []
with assemble.compiler_loading(True):
    release.set()
    thread.join()
    seen.append(sys.getswitchinterval() < before)
seen.append(sys.getswitchinterval() == before)
print(seen)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[True, True]", result.stderr

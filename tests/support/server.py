"""A real `schemareg serve` process on a free loopback port, for the tests that talk to it over a socket
(the client's contract tests, the curl guide). The same way tests/integration/test_serve.py starts one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

__all__ = ["ROOT", "free_port", "serve"]

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(base: str, process: subprocess.Popen[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {process.stdout.read() if process.stdout else ''}")
        try:
            if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("serve did not become ready")


@contextmanager
def serve(
    data_dir: Path, *, env: Mapping[str, str] | None = None, workers: int = 1, timeout: float = 30
) -> Iterator[str]:
    """Run `python -m registry serve` on `data_dir` (with this checkout importable) and yield its base URL;
    the process is stopped on exit."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "schemareg", "serve", "--data-dir", str(data_dir)]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--workers", str(workers)],
        cwd=data_dir.parent,
        env={
            **os.environ,
            "PYTHONPATH": path,
            "SCHEMAREG_CACHE_DIR": str(data_dir.parent / ".cache"),
            **(env or {}),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process, timeout)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()

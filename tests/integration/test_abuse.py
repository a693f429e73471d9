"""`schemareg serve` as a real process under abuse: heavy bodies do not slow the hot path or leak memory,
slow clients are dropped, a taken port is refused, and no input makes a repo `git fsck --strict` refuses.
Bounded in time: tight limits keep every heavy request to a few seconds."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import ROOT, serve

pytestmark = [pytest.mark.integration, pytest.mark.slow]

V1 = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);"
SQL = {"content-type": "application/sql"}
LIMITS = {
    "SCHEMAREG_NORMALIZE_CPU_SECONDS": "2",
    "SCHEMAREG_HEADER_TIMEOUT_SECONDS": "1",
    "SCHEMAREG_BODY_TIMEOUT_SECONDS": "1",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("abuse") / "data"
    with serve(data_dir, env=LIMITS) as base:
        with httpx.Client(base_url=base, timeout=30) as client:
            assert client.put("/v1/projects/shop", json={"dialect": "postgres"}).status_code == 201
            snapshot = client.post(
                "/v1/projects/shop/environments/staging/snapshots", content=V1, headers=SQL
            )
            assert snapshot.status_code == 201
        yield base


def _server_pid(base: str) -> int:
    port = base.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"serve" in cmdline and port.encode() in cmdline and b"schemareg" in cmdline:
                return int(proc.name)
    raise AssertionError("no server process")


def _tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            status = (proc / "status").read_text()
        except OSError:
            continue
        parents[int(proc.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        line = next((line for line in status.splitlines() if line.startswith("VmRSS:")), "VmRSS: 0 kB")
        rss[int(proc.name)] = int(line.split()[1]) * 1024
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(rss.get(pid, 0) for pid in tree)


# The heavy client runs in a process of its own, so that building and sending its bodies does not hold
# the poller's interpreter lock.
HEAVY_CLIENT = r"""
import gzip, sys, httpx
base = sys.argv[1]
sql = {"content-type": "application/sql"}
ors = " OR ".join(f"id = {i % 10}" for i in range(400_000))
bodies = [
    ("post", "/v1/projects/shop/environments/staging/check", f"CREATE TABLE t (id int CHECK ({ors}));".encode(), sql),
    ("post", "/v1/projects/shop/environments/staging/snapshots",
     "\n".join(f"CREATE TABLE t{i} (id int);" for i in range(50_000)).encode(), sql),
    ("post", "/v1/projects/shop/environments/staging/check",
     ("SELECT " + "(" * 2_000_000 + "1" + ")" * 2_000_000 + ";").encode(), sql),
    ("post", "/git/shop.git/git-upload-pack", gzip.compress(b"0" * (200 * 1024 * 1024), compresslevel=9),
     {"content-type": "application/x-git-upload-pack-request", "content-encoding": "gzip"}),
    ("put", "/v1/projects/shop", b'{"description": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     {"content-type": "application/json"}),
]
print("ready", flush=True)
with httpx.Client(base_url=base, timeout=60) as client:
    for _ in range(2):
        for method, path, body, headers in bodies:
            print(getattr(client, method)(path, content=body, headers=headers).status_code, flush=True)
"""


def _poll(
    client: httpx.Client,
    more: Callable[[], bool],
    *,
    seconds: float,
    latencies: list[float] | None = None,
    statuses: list[int] | None = None,
) -> list[float]:
    """Ask for the expected version every 5 ms while `more()` and for at most `seconds`."""
    latencies = [] if latencies is None else latencies
    deadline = time.monotonic() + seconds
    while more() and time.monotonic() < deadline:
        started = time.perf_counter()
        response = client.get("/v1/projects/shop/environments/staging")
        latencies.append(time.perf_counter() - started)
        if statuses is not None:
            statuses.append(response.status_code)
        time.sleep(0.005)
    return latencies


def _p99(latencies: list[float]) -> float:
    return sorted(latencies)[max(0, int(len(latencies) * 0.99) - 1)]


def test_heavy_bodies_do_not_slow_the_hot_path_or_keep_memory(server: str) -> None:
    pid = _server_pid(server)
    with httpx.Client(base_url=server, timeout=60) as warm:  # the pool's worker exists before measuring
        assert (
            warm.post("/v1/projects/shop/environments/staging/check", content=V1, headers=SQL).status_code
            == 200
        )
    time.sleep(0.5)
    before = _tree_rss(pid)
    latencies: list[float] = []
    poll_statuses: list[int] = []
    with httpx.Client(base_url=server, timeout=10) as client:
        idle = _poll(client, lambda: True, seconds=3)  # the floor: this machine, now, with no heavy client
        heavy = subprocess.Popen(
            [sys.executable, "-c", HEAVY_CLIENT, server], stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
        assert heavy.stdout is not None and heavy.stdout.readline().strip() == "ready"
        _poll(client, lambda: heavy.poll() is None, seconds=120, latencies=latencies, statuses=poll_statuses)
    if heavy.poll() is None:
        heavy.kill()
        raise AssertionError("the heavy requests did not finish in time")
    statuses = [int(line) for line in heavy.stdout.read().split()]
    assert len(statuses) == 10 and all(400 <= status < 500 for status in statuses), statuses
    assert set(poll_statuses) == {200}, sorted(set(poll_statuses))
    p99, idle_p99 = _p99(latencies), _p99(idle)
    # Under 50 ms, on top of what the machine itself costs the poller in the same run (a busy CI machine
    # delays every process; the heavy bodies must not delay the hot path beyond that).
    assert len(latencies) > 100 and p99 < 0.050 + idle_p99, (
        len(latencies),
        p99,
        idle_p99,
        sorted(latencies)[-5:],
    )
    time.sleep(1)
    after = _tree_rss(pid)
    print(
        f"abuse: {len(latencies)} polls, p99 {p99 * 1000:.1f} ms (idle p99 {idle_p99 * 1000:.1f} ms),"
        f" max {max(latencies) * 1000:.0f} ms; server RSS {before / 2**20:.0f} -> {after / 2**20:.0f} MiB"
    )
    assert after - before < 50 * 1024 * 1024, (before, after)


def test_slow_clients_are_dropped(server: str) -> None:
    host, port = server.removeprefix("http://").rsplit(":", 1)
    heads = []
    for _ in range(10):
        sock = socket.create_connection((host, int(port)))
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never finishes its head
        heads.append(sock)
    body = socket.create_connection((host, int(port)))
    body.sendall(
        b"POST /v1/projects/shop/environments/staging/check HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/sql\r\nContent-Length: 1000\r\n\r\nCREATE TABLE"
    )
    started = time.monotonic()
    for sock in [*heads, body]:
        sock.settimeout(10)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
                if sock is body and b"\r\n\r\n" in answer:
                    break
        except TimeoutError:
            raise AssertionError("a slow client was kept") from None
        finally:
            sock.close()
        if sock is body:
            assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert time.monotonic() - started < 8
    assert httpx.get(server + "/healthz").status_code == 200


def test_serve_refuses_a_port_that_is_taken(server: str, tmp_path: Path) -> None:
    port = server.rsplit(":", 1)[1]
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-m", "schemareg", "serve", "--data-dir", str(tmp_path / "other"), "--port", port],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": path, "SCHEMAREG_CACHE_DIR": str(tmp_path / ".cache")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "address already in use" in result.stderr
    assert not (tmp_path / "other").exists()


def _random_text(rng: random.Random) -> str:
    alphabet = [
        "\x00",
        "\x7f",
        "\n",
        "\r",
        "\t",
        "%",
        "/",
        '"',
        "'",
        "\\",
        "\u2028",
        "\ufeff",
        "é",
        "a",
        " ",
        "<",
        ">",
    ]
    return "".join(
        rng.choice(alphabet) if rng.random() < 0.6 else chr(rng.randrange(1, 0x2FFF))
        for _ in range(rng.randrange(0, 24))
    )


def test_random_bytes_in_every_text_field_leave_fsck_clean(tmp_path: Path) -> None:
    rng = random.Random(14)
    data_dir = tmp_path / "data"
    statuses: list[int] = []
    with serve(data_dir) as base, httpx.Client(base_url=base, timeout=30) as client:
        assert client.put("/v1/projects/fuzz", json={"dialect": "postgres"}).status_code == 201
        for i in range(60):
            text = _random_text(rng)
            table = _random_text(rng).replace('"', '""')
            ddl = f'CREATE TABLE "t{i}{table}" (id int);'
            calls = [
                ("put", "/v1/projects/fuzz", {"json": {"description": text}}),
                (
                    "post",
                    "/v1/projects/fuzz/environments/staging/snapshots",
                    {"json": {"ddl": ddl, "message": text, "description": text}},
                ),
                (
                    "post",
                    "/v1/projects/fuzz/environments/staging/snapshots",
                    {"params": {"message": text}, "content": ddl.encode(), "headers": SQL},
                ),
                (
                    "post",
                    "/v1/projects/fuzz/environments/production/promote",
                    {"json": {"from": "staging", "message": text}},
                ),
                (
                    "post",
                    "/v1/projects/fuzz/releases",
                    {"json": {"name": f"r{i}{text}", "ref": "staging", "description": text}},
                ),
                (
                    "post",
                    "/v1/projects/fuzz/releases",
                    {"json": {"name": f"v{i}", "ref": "staging", "description": text}},
                ),
            ]
            for method, path, kwargs in calls:
                statuses.append(getattr(client, method)(path, **kwargs).status_code)
            raw = json.dumps({"ddl": ddl, "message": text}).encode()
            raw = bytes(b if rng.random() > 0.02 else rng.randrange(256) for b in raw)
            statuses.append(
                client.post(
                    "/v1/projects/fuzz/environments/staging/snapshots",
                    content=raw,
                    headers={"content-type": "application/json"},
                ).status_code
            )
        assert client.get("/v1/projects").status_code == 200
        assert client.get("/v1/projects/fuzz").status_code == 200
    assert all(status < 500 for status in statuses), sorted(set(statuses))
    assert statuses.count(201) > 20, statuses
    fsck = subprocess.run(
        ["git", "fsck", "--strict", "--no-dangling"],
        cwd=data_dir / "fuzz.git",
        capture_output=True,
        text=True,
    )
    assert fsck.returncode == 0 and "error" not in fsck.stderr.lower(), fsck.stderr

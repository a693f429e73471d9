"""`schemareg serve` as a real process on a free loopback port: plain HTTP, and `git clone` with the real
git client (push refused)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
V1 = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);"
V2 = V1 + "\nCREATE TABLE orders (id bigint PRIMARY KEY);"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def schemareg(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return subprocess.Popen(
        [sys.executable, "-m", "schemareg", *args],
        cwd=cwd,
        # Its own normaliser cache: the suite's shared one is for the cache tests to reason about.
        env={**os.environ, "PYTHONPATH": path, "SCHEMAREG_CACHE_DIR": str(cwd / ".cache"), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_ready(base: str, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {process.stdout.read() if process.stdout else ''}")
        try:
            if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("serve did not become ready")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    # No flags but the port: the data dir is ./schemareg-data, bound on loopback (the README's command).
    process = schemareg("serve", "--port", str(port), "--workers", "2", cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process)
        yield base, tmp_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_http_and_git_clone(server: tuple[str, Path], tmp_path: Path) -> None:
    base, cwd = server
    assert (cwd / "schemareg-data").is_dir()
    with httpx.Client(base_url=base, timeout=10) as client:
        assert client.put("/v1/projects/shop", json={"description": "the shop"}).status_code == 201
        sql = {"content-type": "application/sql"}
        assert (
            client.post(
                "/v1/projects/shop/environments/staging/snapshots", content=V1, headers=sql
            ).status_code
            == 201
        )
        assert (
            client.post(
                "/v1/projects/shop/environments/staging/snapshots", content=V1, headers=sql
            ).status_code
            == 200
        )
        first = client.get("/v1/projects/shop/environments/staging")
        assert first.status_code == 200 and first.headers["server"]
        etag = first.headers["etag"]
        # Two workers: every answer after a write must show it, whichever worker answers.
        for _ in range(10):
            assert (
                client.get(
                    "/v1/projects/shop/environments/staging", headers={"if-none-match": etag}
                ).status_code
                == 304
            )
        second = client.post(
            "/v1/projects/shop/environments/staging/snapshots", content=V2, headers=sql
        ).json()
        for _ in range(10):
            answer = client.get("/v1/projects/shop/environments/staging", headers={"if-none-match": etag})
            assert answer.status_code == 200 and answer.json()["sha"] == second["sha"]
        client.post("/v1/projects/shop/releases", json={"name": "v1.0.0", "ref": "staging"})
        problem = client.get("/v1/projects/shop/environments/nope")
        assert problem.status_code == 404 and problem.headers["content-type"] == "application/problem+json"
        assert "schemareg_http_requests_total" in client.get("/metrics").text

    assert shutil.which("git"), "the git client is needed (make test installs it)"
    for protocol in ("2", "0"):
        target = tmp_path / f"clone-v{protocol}"
        result = subprocess.run(
            ["git", "-c", f"protocol.version={protocol}", "clone", f"{base}/git/shop.git", str(target)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        log = subprocess.run(
            ["git", "log", "--oneline", "staging"], cwd=target, capture_output=True, text=True, check=True
        ).stdout
        assert "release v1.0.0" in log and "snapshot staging" in log
        assert (target / "schema.sql").read_text().count("CREATE TABLE") == 2
        tags = subprocess.run(["git", "tag"], cwd=target, capture_output=True, text=True, check=True).stdout
        assert tags.split() == ["v1.0.0"]
    push = subprocess.run(
        ["git", "push", "origin", "HEAD:refs/heads/hacked"],
        cwd=tmp_path / "clone-v2",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert push.returncode != 0 and "403" in push.stderr


def test_refuses_a_public_bind_without_tokens(tmp_path: Path) -> None:
    process = schemareg("serve", "--host", "0.0.0.0", "--port", str(free_port()), cwd=tmp_path)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "refusing to serve on 0.0.0.0 without tokens" in output


def test_cli_verbs_with_registry_url(server: tuple[str, Path], tmp_path: Path) -> None:
    """`--registry URL` on snapshot, list, diff and changelog talks to the server, not the local dir."""
    base, _ = server
    httpx.put(base + "/v1/projects/shop", json={}, timeout=10).raise_for_status()
    local = tmp_path / "elsewhere"
    local.mkdir()
    (local / "v1.sql").write_text(V1)
    (local / "v2.sql").write_text(V2)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "schemareg", *args],
            cwd=local,
            env={
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "SCHEMAREG_REGISTRY_URL": base,
                "SCHEMAREG_CACHE_DIR": str(tmp_path / ".cache"),
            },
            capture_output=True,
            text=True,
            timeout=60,
        )

    first = run("snapshot", "--project", "shop", "--env", "staging", "--file", "v1.sql")
    assert first.returncode == 0 and "new snapshot" in first.stdout, first.stderr
    assert "unchanged" in run("snapshot", "-p", "shop", "-e", "staging", "-f", "v1.sql").stdout
    assert run("snapshot", "-p", "shop", "-e", "production", "-f", "v1.sql").returncode == 0
    assert run("snapshot", "-p", "shop", "-e", "staging", "-f", "v2.sql", "--format", "json").returncode == 0
    bad = run("snapshot", "-p", "nope", "-e", "staging", "-f", "v1.sql")
    assert bad.returncode == 2 and "nope" in bad.stderr
    listing = run("list", "--project", "shop")
    assert listing.returncode == 0 and "staging" in listing.stdout and "production" in listing.stdout
    diff = run("diff", "--project", "shop", "production", "staging", "--format", "json")
    assert diff.returncode == 1 and '"public.orders"' in diff.stdout, diff.stderr
    unified = run("diff", "--project", "shop", "production", "staging", "--format", "unified")
    assert unified.returncode == 1 and "+CREATE TABLE" in unified.stdout
    same = run("diff", "--project", "shop", "production", "production")
    assert same.returncode == 0
    changelog = run("changelog", "--project", "shop", "production", "staging")
    assert changelog.returncode == 0 and "`orders` table" in changelog.stdout
    assert not (local / "schemareg-data").exists()

"""REST API benchmark: `schemareg serve` as a real process on a free loopback port, loaded with wrk.

Measures, for granian and uvicorn with the same workers: requests/s and p50/p99 latency of a trivial
endpoint (/healthz), of the expected-version endpoint (the hot path) and of its 304 answer, with the
ratios to /healthz held to their floors (0.8x and 0.9x); then 8 clients posting snapshots to one env at
once: every version present afterwards, commits/s.

Run: `.venv/bin/python -m bench.api_bench` (`--docs docs/benchmarks.md` writes its "## REST API"
section). Needs `wrk` (Debian: `apt-get install wrk`); traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.docs import write_section

SECTION = "## REST API"
ROOT = Path(__file__).resolve().parents[1]
FLOORS = {"expected": 0.8, "expected 304": 0.9}
NOTES = """\
Notes: the expected-version answers (200 and 304) are sent by a route middleware from bytes encoded once
per head (docs/api.md, "caching"); through the ordinary handler (guard, parameter parsing, Response) an
answer took about 56 us in-process against 16 us for /healthz. wrk runs on the same 2 cores as the server,
so ratios move by about 0.1 and the commit rate by about a third from run to run. uvicorn (installed
without httptools/uvloop) takes about 44 ms for each answer Litestar sends as two ASGI messages (/healthz,
200s); its one-message 304s do not stall. granian is the default."""
SCHEMA = "\n".join(
    f"CREATE TABLE t{n} (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now());"
    for n in range(40)
)


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(server: str, workers: int, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    for name in list(env):
        if name.startswith("SCHEMAREG_") and name != "SCHEMAREG_CACHE_DIR":
            del env[name]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "schemareg",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--server",
            server,
            "--data-dir",
            str(work / "data"),
        ],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{server} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, seconds: int, connections: int, threads: int, headers: list[str]) -> Load:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return Load(rps, p50, p99, int(non_2xx.group(1)) if non_2xx else 0)


def posters(base: str, clients: int, each: int) -> tuple[float, int, int]:
    """`clients` threads post `each` distinct schemas to one env at once; (commits/s, posted, found)."""
    url = f"{base}/v1/projects/bench/environments/load/snapshots"
    shas: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client(index: int) -> None:
        with httpx.Client(timeout=120) as http:
            barrier.wait()
            for n in range(each):
                ddl = f"{SCHEMA}\nCREATE TABLE c{index}_{n} (id int PRIMARY KEY);"
                response = http.post(url, content=ddl, headers={"content-type": "application/sql"})
                with lock:
                    if response.status_code == 201:
                        shas.append(response.json()["sha"])
                    else:
                        errors.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"posting failed: {errors[0]}")
    history = httpx.get(f"{base}/v1/projects/bench/environments/load/history", timeout=60).json()
    found = len({entry["sha"] for entry in history} & set(shas))
    return len(shas) / elapsed, len(shas), found


def run_server(server: str, args: argparse.Namespace) -> tuple[dict[str, Load], tuple[float, int, int]]:
    work = Path(tempfile.mkdtemp(prefix="schemareg-api-bench-"))
    process, base = start(server, args.workers, work)
    try:
        with httpx.Client(base_url=base, timeout=60) as http:
            http.put("/v1/projects/bench", json={"dialect": "postgres"}).raise_for_status()
            http.post(
                "/v1/projects/bench/environments/production/snapshots",
                content=SCHEMA,
                headers={"content-type": "application/sql"},
            ).raise_for_status()
            etag = http.get("/v1/projects/bench/environments/production").headers["etag"]
        expected = f"{base}/v1/projects/bench/environments/production"
        cases = {
            "healthz (trivial)": (f"{base}/healthz", []),
            "expected": (expected, []),
            "expected 304": (expected, [f"If-None-Match: {etag}"]),
        }
        wrk(f"{base}/healthz", 2, args.connections, args.threads, [])  # warm-up
        loads = {
            name: wrk(url, args.seconds, args.connections, args.threads, headers)
            for name, (url, headers) in cases.items()
        }
        posting = posters(base, args.posters, args.posts)
    finally:
        stop(process)
        shutil.rmtree(work, ignore_errors=True)
    return loads, posting


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--servers", default="granian,uvicorn", help="comma-separated: granian, uvicorn")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run")
    parser.add_argument("--posters", type=int, default=8)
    parser.add_argument("--posts", type=int, default=10, help="snapshots per poster")
    parser.add_argument("--docs", type=Path, help="write the tables into this markdown file's section")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print(
            "wrk is missing: this benchmark needs it (Debian/Ubuntu: apt-get install wrk). Nothing measured."
        )
        return 2

    lines = [
        f"`schemareg serve --workers {args.workers}` on 127.0.0.1, `wrk -t{args.threads} -c{args.connections}"
        f" -d{args.seconds}s --latency` on the same {os.cpu_count()}-core machine ({platform.machine()},"
        f" Python {platform.python_version()}); one run each.",
        "",
        "| server | endpoint | requests/s | ratio to /healthz | floor | p50 ms | p99 ms |",
        "|---|---|---:|---:|---|---:|---:|",
    ]
    failed = False
    posting_lines = [
        "",
        f"{args.posters} clients posting {args.posts} different snapshots each to one env at once (a 40-table"
        " schema plus one table per post):",
        "",
        "| server | snapshots posted | present in the env's history | commits/s |",
        "|---|---:|---:|---:|",
    ]
    for server in [name.strip() for name in args.servers.split(",") if name.strip()]:
        loads, (rate, posted, found) = run_server(server, args)
        base = loads["healthz (trivial)"].rps
        for name, load in loads.items():
            ratio = load.rps / base
            floor = FLOORS.get(name)
            verdict = "" if floor is None else f">= {floor}x " + ("ok" if ratio >= floor else "**FAIL**")
            failed |= floor is not None and ratio < floor
            failed |= load.non_2xx != 0 and name != "expected 304"
            lines.append(
                f"| {server} | {name} | {load.rps:,.0f} | {ratio:.2f}x | {verdict} | {load.p50_ms:.2f} |"
                f" {load.p99_ms:.2f} |"
            )
        failed |= found != posted
        posting_lines.append(f"| {server} | {posted} | {found} | {rate:.1f} |")
    command = "`.venv/bin/python -m bench.api_bench" + (f" --docs {args.docs}`" if args.docs else "`")
    table = "\n".join([*lines, *posting_lines, "", NOTES, "", f"Produced by {command}."])
    print(table)
    if args.docs is not None:
        write_section(args.docs, SECTION, table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

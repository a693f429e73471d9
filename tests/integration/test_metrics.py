"""`/metrics` of a server with 2 workers counts the requests of both: every scrape, whichever worker answers
it, gives the same totals."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import msgspec
from prometheus_client.parser import text_string_to_metric_families

from schemareg_api.metrics import FOLDER_VARIABLE, Counts, metrics_folder
from tests.support.server import serve


def _healthz_count(text: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "schemareg_http_requests_total" and sample.labels.get("route") == "/healthz":
                total += sample.value
    return total


def _scrape(base: str) -> str:
    # A new connection each time, so that scrapes (and requests) go to either worker.
    with httpx.Client(base_url=base, timeout=10) as http:
        response = http.get("/metrics")
        response.raise_for_status()
        return response.text


def test_two_workers_sum(tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    with serve(tmp_path / "data", workers=2, env={FOLDER_VARIABLE: str(folder)}) as base:
        before = _healthz_count(_scrape(base))
        requests = 60
        for _ in range(requests):
            with httpx.Client(base_url=base, timeout=10) as http:
                assert http.get("/healthz").status_code == 200
        # Each worker publishes within a second; until then a scrape may lag, never exceed.
        deadline = time.monotonic() + 10
        while (seen := _healthz_count(_scrape(base)) - before) < requests and time.monotonic() < deadline:
            assert seen <= requests
            time.sleep(0.2)
        time.sleep(1.5)  # past the publishing interval: every worker's file has its final numbers
        totals = {_healthz_count(_scrape(base)) - before for _ in range(8)}
        assert totals == {requests}
        served = [
            sum(
                n
                for _, route, _, n in msgspec.json.decode(path.read_bytes(), type=Counts).requests
                if route == "/healthz"
            )
            for path in sorted(folder.glob("*.json"))
        ]
        # Both workers answered some: a scrape of either alone would have shown less than the total.
        assert len(served) == 2 and all(0 < n < requests for n in served), served
        assert "schemareg_workers 2" in _scrape(base)


def test_the_folder_of_a_run(tmp_path: Path) -> None:
    named = tmp_path / "named"
    named.mkdir()
    (named / "123.json").write_bytes(b"stale")
    os.environ[FOLDER_VARIABLE] = str(named)
    try:
        with metrics_folder() as folder:
            assert folder == named and not list(named.glob("*.json"))  # an earlier run's numbers are gone
    finally:
        del os.environ[FOLDER_VARIABLE]
    with metrics_folder() as folder:
        assert os.environ[FOLDER_VARIABLE] == str(folder) and folder.is_dir()
    assert not folder.exists() and FOLDER_VARIABLE not in os.environ

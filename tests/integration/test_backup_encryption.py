"""Client-side encryption of backups to age recipients: nothing of the dump is readable without the
identity, the right identity restores the same schema and rows, and a wrong or missing identity or a
damaged file is refused before the target is touched."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest
from pyrage import x25519

from schemareg.backup.manifest import decode, encode
from schemareg.backup.pg import Database
from schemareg.cli import run
from tests.integration.test_backup import content, populate

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def source(pg) -> str:  # type: ignore[no-untyped-def]
    url = pg.database("besrc")
    populate(url)
    return url


@pytest.fixture(scope="module")
def key() -> x25519.Identity:
    return x25519.Identity.generate()


def identity_file(directory: Path, identity: x25519.Identity) -> Path:
    path = directory / "backup.key"
    path.write_text(f"# created: for the tests\n# public key: {identity.to_public()}\n{identity}\n")
    path.chmod(0o600)
    return path


def backup(capsys: pytest.CaptureFixture[str], source: str, dest: Path, *extra: str) -> Path:
    code = run(["backup", "--dsn", source, "--dest", str(dest), "--data-dir", str(dest / "data"), *extra])
    _, err = capsys.readouterr()
    assert code == 0, err
    [manifest] = dest.glob("*.manifest.json")
    return dest / decode(manifest.read_bytes()).name


def restore(capsys: pytest.CaptureFixture[str], path: Path, target: str, *extra: str) -> tuple[int, str, str]:
    code = run(["restore", str(path), "--dsn", target, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_an_encrypted_backup_holds_no_plaintext_and_its_manifest_says_to_whom(
    source: str, key: x25519.Identity, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipient = str(key.to_public())
    path = backup(capsys, source, tmp_path, "--encrypt-to", recipient)
    assert path.name.endswith(".sql.gz.age")
    stored = path.read_bytes()
    assert stored.startswith(b"age-encryption.org/v1\n")
    for plaintext in (b"PostgreSQL database dump", b"user1@example.com", b"CREATE TABLE"):
        assert plaintext not in stored
    with pytest.raises(OSError):
        gzip.decompress(stored)
    # Nor any piece of the compressed dump: the same backup unencrypted (gzip is deterministic) shares
    # no 32-byte window with it.
    clear = backup(capsys, source, tmp_path / "clear").read_bytes()
    assert not any(clear[i : i + 32] in stored for i in range(0, len(clear) - 32, 509))
    manifest_text = (tmp_path / (path.name + ".manifest.json")).read_text()
    manifest = decode(manifest_text.encode())
    assert (manifest.encryption, manifest.recipients) == ("age", [recipient])
    assert manifest.sha256 == hashlib.sha256(stored).hexdigest() and manifest.size == len(stored)
    assert manifest.plaintext_sha256 and manifest.plaintext_sha256 != manifest.sha256
    assert "AGE-SECRET-KEY" not in manifest_text


@pytest.mark.parametrize(
    ("dump_format", "extra"),
    [
        ("plain", ()),
        ("custom", ()),
        ("directory", ("--jobs", "2")),
        ("directory", ("--jobs", "2", "--compress", "zstd")),
    ],
)
def test_the_right_identity_restores_the_same_schema_and_rows(
    pg,
    source: str,
    key: x25519.Identity,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    dump_format: str,
    extra: tuple[str, ...],
) -> None:  # type: ignore[no-untyped-def]
    path = backup(
        capsys, source, tmp_path, "--encrypt-to", str(key.to_public()), "--format", dump_format, *extra
    )
    target = pg.database("beok")
    code, out, err = restore(capsys, path, target, "--identity", str(identity_file(tmp_path, key)))
    assert code == 0, err
    assert "matches the manifest" in out
    assert content(target) == content(source)


def test_the_identity_can_come_from_the_environment(
    pg,
    source: str,
    key: x25519.Identity,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "schemareg.toml"
    config.write_text(f'[backup]\nrecipients = ["{key.to_public()}"]\n')
    monkeypatch.setenv("SCHEMAREG_CONFIG", str(config))
    path = backup(capsys, source, tmp_path / "b")  # recipients from [backup] of schemareg.toml
    assert path.name.endswith(".age")
    monkeypatch.setenv("SCHEMAREG_BACKUP_IDENTITY", str(key))
    target = pg.database("beenv")
    code, _, err = restore(capsys, path, target)
    assert code == 0, err
    assert content(target) == content(source)


def test_a_wrong_or_missing_identity_is_refused_and_the_target_stays_empty(
    pg, source: str, key: x25519.Identity, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    path = backup(capsys, source, tmp_path, "--encrypt-to", str(key.to_public()))
    target = pg.database("bewrong")
    other = identity_file(tmp_path, x25519.Identity.generate())
    code, _, err = restore(capsys, path, target, "--identity", str(other))
    assert code == 2 and "does not match any recipient" in err and "nothing was restored" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    code, _, err = restore(capsys, path, target)
    assert code == 2 and "is encrypted: give the identity" in err
    assert Database(target).user_objects() == 0


@pytest.mark.parametrize("resign", [False, True])
def test_a_corrupted_encrypted_backup_is_refused(
    pg, source: str, key: x25519.Identity, tmp_path: Path, capsys: pytest.CaptureFixture[str], resign: bool
) -> None:  # type: ignore[no-untyped-def]
    path = backup(capsys, source, tmp_path, "--encrypt-to", str(key.to_public()))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    if resign:  # the stored checksum recomputed: age's authentication still catches it
        manifest_path = tmp_path / (path.name + ".manifest.json")
        manifest = decode(manifest_path.read_bytes())
        manifest.sha256 = hashlib.sha256(data).hexdigest()
        manifest_path.write_bytes(encode(manifest))
    target = pg.database("becor")
    code, _, err = restore(capsys, path, target, "--identity", str(identity_file(tmp_path, key)))
    assert code == 2 and "nothing was restored" in err, err
    assert ("cannot decrypt" if resign else "checksum mismatch") in err
    assert Database(target).user_objects() == 0


def test_a_secret_key_is_refused_as_a_recipient(
    source: str, key: x25519.Identity, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    code = run(["backup", "--dsn", source, "--dest", str(tmp_path), "--encrypt-to", str(key)])
    _, err = capsys.readouterr()
    assert code == 2 and "not a secret key" in err and str(key) not in err
    assert not list(tmp_path.glob("full_backup_*"))

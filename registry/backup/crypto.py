"""Client-side encryption of backups to age recipients (pyrage), streaming in bounded memory.

Recipients are public (`age1...` or an `ssh-ed25519` / `ssh-rsa` public key) and may be given anywhere;
identities are secret and come from a file (`restore --identity FILE`) or from the environment
(`SCHEMAREG_BACKUP_IDENTITY`), never from the command line, where `ps` would show them.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from schemareg.errors import InputError

__all__ = [
    "IDENTITY_ENV",
    "SUFFIX",
    "ChunkReader",
    "decrypt",
    "encrypt",
    "load_identities",
    "parse_recipients",
]

IDENTITY_ENV = "SCHEMAREG_BACKUP_IDENTITY"
SUFFIX = ".age"
BUFFER = 1024 * 1024


def parse_recipients(texts: Iterable[str]) -> list[Any]:
    """age recipients from their public strings; a clear error for anything else (a secret key above all)."""
    from pyrage import ssh, x25519

    recipients: list[Any] = []
    for text in texts:
        value = text.strip()
        if not value:
            continue
        if value.upper().startswith("AGE-SECRET-KEY-"):
            raise InputError("--encrypt-to takes a public age recipient (age1...), not a secret key")
        try:
            if value.startswith("age1"):
                recipients.append(x25519.Recipient.from_str(value))
            elif value.startswith("ssh-"):
                recipients.append(ssh.Recipient.from_str(value))
            else:
                raise ValueError("neither age1... nor ssh-...")
        except Exception as error:  # pyrage raises RecipientError or ValueError
            raise InputError(f"not an age recipient: {value[:24]}...: {error}") from None
    return recipients


def load_identities(path: Path | None, environ: dict[str, str] | None = None) -> list[Any]:
    """The identities in FILE (age's identity file: `AGE-SECRET-KEY-1...` lines, `#` comments; or an
    OpenSSH private key), or in $SCHEMAREG_BACKUP_IDENTITY; empty when neither is given."""
    env = os.environ if environ is None else environ
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise InputError(f"cannot read the identity file {path}: {error.strerror}") from None
        source = str(path)
    elif env.get(IDENTITY_ENV):
        text, source = env[IDENTITY_ENV], f"${IDENTITY_ENV}"
    else:
        return []
    return _identities(text, source)


def _identities(text: str, source: str) -> list[Any]:
    from pyrage import ssh, x25519

    if "PRIVATE KEY-----" in text:
        try:
            return [ssh.Identity.from_buffer(text.encode())]
        except Exception as error:
            raise InputError(f"{source}: not a usable SSH private key: {error}") from None
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        value = line.strip()
        if not value or value.startswith("#"):
            continue
        try:
            found.append(x25519.Identity.from_str(value))
        except Exception:
            raise InputError(
                f"{source}: line {number} is not an age identity (AGE-SECRET-KEY-1...)"
            ) from None
    if not found:
        raise InputError(f"{source}: no age identity in it")
    return found


class ChunkReader(io.RawIOBase):
    """A readable file over an iterator of byte chunks, for pyrage, which pulls its input."""

    def __init__(self, chunks: Iterable[bytes | memoryview]) -> None:
        self._chunks: Iterator[bytes | memoryview] = iter(chunks)
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        target = memoryview(buffer).cast("B")
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk).cast("B")
        count = min(len(target), len(self._pending))
        target[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count


class CallbackWriter(io.BufferedIOBase):
    """A writable file that hands every write to a function, for pyrage, which pushes its output."""

    def __init__(self, write: Callable[[bytes], None]) -> None:
        self._write = write

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._write(chunk)
        return len(chunk)


def encrypt(
    chunks: Iterable[bytes | memoryview], emit: Callable[[bytes], None], recipients: Sequence[Any]
) -> None:
    """Encrypt the stream of chunks to the recipients, handing the ciphertext to `emit` as it comes."""
    import pyrage

    reader = io.BufferedReader(ChunkReader(chunks), BUFFER)
    try:
        pyrage.encrypt_io(reader, CallbackWriter(emit), list(recipients))
    except pyrage.EncryptError as error:
        raise InputError(f"cannot encrypt: {error}") from None


def decrypt(source: Any, emit: Callable[[bytes], None], identities: Sequence[Any], label: str) -> None:
    """Decrypt a readable file to `emit`; a wrong identity and damaged ciphertext are InputErrors."""
    import pyrage

    if not identities:
        raise InputError(
            f"{label} is encrypted: give the identity with --identity FILE or ${IDENTITY_ENV}; nothing was restored"
        )
    try:
        pyrage.decrypt_io(source, CallbackWriter(emit), list(identities))
    except (pyrage.DecryptError, OSError) as error:
        if "No matching keys" in str(error):
            raise InputError(
                f"{label}: the identity given does not match any recipient of the backup; nothing was restored"
            ) from None
        raise InputError(
            f"{label}: cannot decrypt ({error}): the backup is damaged; nothing was restored"
        ) from None

"""Bearer tokens: stored as sha256 hashes with scopes, compared in constant time.

Scopes: `read` (every GET, `check`, git clone), `write:<project>/<env-glob>` (snapshots, promotion and
drift reports on matching envs; implies `read`; `write:<project>/*` also cuts releases), `admin`
(everything, including creating projects). With no tokens configured every request is anonymous and
allowed: `serve` then binds loopback only unless `--allow-anonymous`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import Path

import msgspec

__all__ = ["Principal", "TokenError", "Tokens", "hash_token"]

_HEX = set("0123456789abcdef")


class TokenError(ValueError):
    """The token configuration cannot be read."""


class Principal(msgspec.Struct, frozen=True):
    """Who a request is: the scopes of its token (all of them when anonymous)."""

    scopes: tuple[str, ...]
    anonymous: bool = False

    def can_read(self) -> bool:
        return self.anonymous or bool(self.scopes)

    def can_write(self, project: str, env: str) -> bool:
        if self.anonymous or "admin" in self.scopes:
            return True
        for scope in self.scopes:
            if scope.startswith("write:"):
                target_project, _, env_glob = scope.removeprefix("write:").partition("/")
                if fnmatchcase(project, target_project) and fnmatchcase(env, env_glob or "*"):
                    return True
        return False

    def can_release(self, project: str) -> bool:
        """Releases are project-wide: admin, or a write scope on every env of the project."""
        if self.anonymous or "admin" in self.scopes:
            return True
        return any(
            scope.startswith("write:")
            and fnmatchcase(project, scope.removeprefix("write:").partition("/")[0])
            and scope.partition("/")[2] in ("*", "")
            for scope in self.scopes
        )

    def is_admin(self) -> bool:
        return self.anonymous or "admin" in self.scopes


ANONYMOUS = Principal(scopes=("admin",), anonymous=True)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Tokens:
    """The configured tokens: sha256 hex digest -> scopes."""

    def __init__(self, entries: Iterable[tuple[str, tuple[str, ...]]] = ()) -> None:
        self._entries = [(bytes.fromhex(digest), scopes) for digest, scopes in entries]

    def __bool__(self) -> bool:
        return bool(self._entries)

    @classmethod
    def parse(cls, spec: str) -> Tokens:
        """Inline `sha256hex:scope,scope;...`, or the path of a file with one such entry per line."""
        spec = spec.strip()
        if not spec:
            return cls()
        if not _looks_inline(spec) and not (":" in spec and not Path(spec).exists()):
            try:
                text = Path(spec).read_text(encoding="utf-8")
            except OSError as error:
                raise TokenError(f"cannot read the tokens file {spec}: {error.strerror}") from None
            items = [line.split("#", 1)[0].strip() for line in text.splitlines()]
        else:
            items = [item.strip() for item in spec.split(";")]
        entries = []
        for number, item in enumerate(items, 1):
            if not item:
                continue
            digest, _, scopes_text = item.partition(":")
            digest = digest.strip().lower()
            if len(digest) != 64 or not set(digest) <= _HEX:
                raise TokenError(f"token entry {number}: expected a sha256 hex digest before ':'")
            scopes = tuple(scope.strip() for scope in scopes_text.split(",") if scope.strip())
            if not scopes:
                raise TokenError(f"token entry {number}: no scopes")
            for scope in scopes:
                if scope not in ("read", "admin") and not (scope.startswith("write:") and "/" in scope):
                    raise TokenError(
                        f"token entry {number}: unknown scope {scope!r}"
                        " (read, write:<project>/<env-glob> or admin)"
                    )
            entries.append((digest, scopes))
        return cls(entries)

    def authenticate(self, authorization: str | None) -> Principal | None:
        """The principal of an `Authorization` header (Bearer TOKEN, or Basic with TOKEN as the
        password, for git), None when it names no configured token. Every configured hash is compared,
        in constant time, whether or not an earlier one matched."""
        token = _token_of(authorization)
        if token is None:
            return None
        digest = hashlib.sha256(token.encode("utf-8")).digest()
        found: tuple[str, ...] | None = None
        for expected, scopes in self._entries:
            if hmac.compare_digest(digest, expected):
                found = scopes
        return None if found is None else Principal(scopes=found)


def _looks_inline(spec: str) -> bool:
    head = spec.split(";", 1)[0].strip().split(":", 1)[0].strip().lower()
    return len(head) == 64 and set(head) <= _HEX


def _token_of(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    scheme = scheme.lower()
    value = value.strip()
    if scheme == "bearer" and value:
        return value
    if scheme == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        user, _, password = decoded.partition(":")
        return password or user or None
    return None

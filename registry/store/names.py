"""Names of projects, environments (branches) and releases (tags), checked before they become refs.

An environment is one path segment so that it fits in a URL and a file name; a release follows git's ref
rules (`git check-ref-format`, from dulwich); neither may look like a sha or shadow one of git's own refs.
"""

from __future__ import annotations

from dulwich.refs import Ref, check_ref_format

from schemareg.errors import InvalidName
from schemareg.lazy_re import lazy_compile

BRANCH_PREFIX = "refs/heads/"
TAG_PREFIX = "refs/tags/"

HEX = lazy_compile(r"[0-9a-f]{4,40}")
_SIMPLE_NAME = lazy_compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
# A release named like one of git's own refs, or spelled as a ref path, would be resolved as that ref.
_SHADOWING_RELEASE = lazy_compile(r"[A-Z_]*HEAD|(?:refs|heads|tags|remotes)/.*")


def _check_simple(what: str, name: str) -> None:
    if (
        not _SIMPLE_NAME.fullmatch(name)
        or ".." in name
        or name.endswith((".", ".lock", ".git"))
        or name == "HEAD"
    ):
        raise InvalidName(
            f"invalid {what} name {name!r}: use letters, digits, '.', '_' and '-' (at most 100), "
            "starting with a letter or digit, not ending in '.', '.lock' or '.git'"
        )
    if HEX.fullmatch(name):
        # A hex name would shadow a short sha when a ref is resolved.
        raise InvalidName(f"invalid {what} name {name!r}: it looks like a commit sha")


def check_project_name(name: str) -> str:
    _check_simple("project", name)
    return name


def check_env_name(name: str) -> str:
    """An environment is a branch; one path segment, so that it fits in a URL and a file name."""
    _check_simple("environment", name)
    return name


def check_release_name(name: str) -> str:
    """A release is a tag: git's ref rules (`git check-ref-format`), and not something that looks like a sha."""
    if (
        not name
        or name == "@"
        or len(name) > 200
        or name.startswith("-")
        or not check_ref_format(Ref((TAG_PREFIX + name).encode("utf-8", "surrogateescape")))
        or not name.isprintable()
    ):
        raise InvalidName(f"invalid release name {name!r}: git's ref rules refuse it")
    if _SHADOWING_RELEASE.fullmatch(name):
        raise InvalidName(f"invalid release name {name!r}: git would read it as the ref {name!r}")
    if HEX.fullmatch(name):
        raise InvalidName(f"invalid release name {name!r}: it looks like a commit sha")
    return name

"""`--registry URL`: the verbs that read or post (snapshot, list, diff, changelog) against a schemareg
server instead of the local data dir. The server's problem+json errors come back as the registry's own
errors, so the verbs print them and exit 2 as they do locally. The token is `SCHEMAREG_TOKEN`."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click
import msgspec

from schemareg.changelog import decode_json
from schemareg.diff import Diff
from schemareg.dsn import scrub
from schemareg.errors import (
    Conflict,
    ExternalError,
    InputError,
    NotFound,
    SchemaregError,
    SQLParseError,
)
from schemareg.model import Kind, ObjectKey
from schemareg.service import Environment, ObjectChanges, Project, Release, Snapshot, SnapshotResult

if TYPE_CHECKING:
    import httpx

__all__ = ["RemoteRegistry", "registry_option"]

REGISTRY_ENV = "SCHEMAREG_REGISTRY_URL"
TOKEN_ENV = "SCHEMAREG_TOKEN"
F = TypeVar("F", bound=Callable[..., Any])


def registry_option(function: F) -> F:
    return click.option(
        "--registry",
        "registry_url",
        metavar="URL",
        envvar=REGISTRY_ENV,
        show_envvar=True,
        help=f"A schemareg server to use instead of the local data dir (token: ${TOKEN_ENV}).",
    )(function)


class RemoteRegistry:
    def __init__(self, url: str, *, token: str | None = None, timeout: float = 60) -> None:
        import httpx  # only when a server is used: the local verbs start faster without it

        token = token if token is not None else os.environ.get(TOKEN_ENV)
        self.url = url.rstrip("/")
        self.client = httpx.Client(
            base_url=self.url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {token}"} if token else {},
        )

    def close(self) -> None:
        self.client.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        import httpx

        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise ExternalError(f"cannot reach {scrub(self.url)}: {error}") from None
        if response.status_code >= 400:
            raise _error(response)
        return response

    # -- the verbs ------------------------------------------------------------------------------------

    def snapshot(
        self, project: str, env: str, ddl: str, *, dialect: str | None, message: str | None, description: str
    ) -> SnapshotResult:
        body = {"ddl": ddl, "dialect": dialect, "message": message, "description": description}
        data = self._call("POST", f"/v1/projects/{project}/environments/{env}/snapshots", json=body).json()
        changes = data["changes"]

        def keys(items: list[dict[str, str]]) -> tuple[ObjectKey, ...]:
            return tuple(ObjectKey(Kind(item["kind"]), item["name"]) for item in items)

        return SnapshotResult(
            env=data["env"],
            created=data["created"],
            version=msgspec.convert(data["version"], type=Snapshot),
            changes=ObjectChanges(
                added=keys(changes["added"]),
                removed=keys(changes["removed"]),
                modified=keys(changes["modified"]),
            ),
        )

    def listing(self, project: str | None) -> list[tuple[Project, list[Environment], list[Release]]]:
        names = [project] if project else [item["name"] for item in self._call("GET", "/v1/projects").json()]
        found = []
        for name in names:
            detail = self._call("GET", f"/v1/projects/{name}").json()
            found.append(
                (
                    Project(
                        name=detail["name"], dialect=detail["dialect"], description=detail["description"]
                    ),
                    msgspec.convert(detail["environments"], type=list[Environment]),
                    msgspec.convert(detail["releases"], type=list[Release]),
                )
            )
        return found

    def diff(self, project: str, from_ref: str, to_ref: str) -> Diff:
        response = self._call("GET", f"/v1/projects/{project}/diff", params={"from": from_ref, "to": to_ref})
        return decode_json(response.content)

    def dialect(self, project: str) -> str:
        return str(self._call("GET", f"/v1/projects/{project}").json()["dialect"])

    def schema_sql(self, project: str, ref: str) -> str:
        return self._call("GET", f"/v1/projects/{project}/versions/{ref}/schema.sql").text


def _error(response: httpx.Response) -> SchemaregError:
    try:
        problem = response.json()
        detail = str(problem.get("detail") or problem.get("title") or response.reason_phrase)
    except ValueError:
        problem, detail = {}, response.reason_phrase
    status = response.status_code
    if status == 422 and isinstance(problem.get("line"), int):
        error = SQLParseError(detail, line=problem["line"], column=int(problem.get("column") or 0))
        error.args = (detail,)  # the server's detail already says where
        return error
    if status == 404:
        return NotFound(detail)
    if status == 409:
        return Conflict(detail)
    if status in (400, 413, 415, 422):
        return InputError(detail)
    return ExternalError(f"the registry answered {status}: {detail}")

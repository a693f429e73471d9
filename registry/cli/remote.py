"""`--registry URL`: every verb that reads or writes the registry, against a schemareg server instead of
the local data dir. One adapter over the Python client `schemareg_client`: it answers with the core's
own values and raises the core's own errors, so a verb prints the same whether its registry is local or
remote. The token is `SCHEMAREG_TOKEN`."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import click
import msgspec

from schemareg.compat import Compatibility
from schemareg.diff import NO_RULES, Diff, DiffRules
from schemareg.dsn import scrub
from schemareg.errors import Conflict, ExternalError, InputError, NotFound, SchemaregError, SQLParseError
from schemareg.history import TableHistory
from schemareg.introspect.base import SnapshotMetadata
from schemareg.model import Issue, Kind, ObjectKey, Schema
from schemareg.normalize import normalize
from schemareg.projects import Project
from schemareg.render import render_schema_sql
from schemareg.snapshots import (
    Environment,
    HistoryEntry,
    ObjectChanges,
    Release,
    Snapshot,
    SnapshotResult,
    Source,
)

if TYPE_CHECKING:
    import schemareg_client

__all__ = ["CLIENT_MISSING", "REGISTRY_ENV", "TOKEN_ENV", "RemoteRegistry", "registry_option"]

REGISTRY_ENV = "SCHEMAREG_REGISTRY_URL"
TOKEN_ENV = "SCHEMAREG_TOKEN"
CLIENT_MISSING = (
    "--registry needs the Python client schemareg-client: pip install schemareg-client"
    " (in a checkout of schemareg: pip install -e clients/python)"
)
F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def registry_option(function: F) -> F:
    return click.option(
        "--registry",
        "registry_url",
        metavar="URL",
        envvar=REGISTRY_ENV,
        show_envvar=True,
        help=f"A schemareg server to use instead of the local data dir (token: ${TOKEN_ENV}).",
    )(function)


def _project(value: Any) -> Project:
    """A client's project as the core's, its engine in `[normalize]` as the core keeps it."""
    fields = msgspec.to_builtins(value)
    engine = fields.pop("engine", "sqlglot")
    return msgspec.convert({**fields, "normalize": {"engine": engine}}, Project)


def _as(value: Any, kind: type[T]) -> T:
    """A client model as the core's value of the same shape."""
    return msgspec.convert(msgspec.to_builtins(value), kind)


class CheckAnswer(msgspec.Struct):
    """The server's comparison of a schema file with an env's head (`POST .../check`)."""

    match: bool
    expected: str
    actual: str
    diff: Diff | None = None


class RemoteRegistry:
    """The `Registry` verbs the CLI uses, over HTTP. What the API cannot do says so (InputError)."""

    def __init__(self, url: str, *, token: str | None = None, timeout: float = 60) -> None:
        try:
            import schemareg_client
        except ImportError:
            raise InputError(CLIENT_MISSING) from None
        self.url = url.rstrip("/")
        self._errors = schemareg_client
        self._client = schemareg_client.Client(
            self.url, token if token is not None else os.environ.get(TOKEN_ENV) or None, timeout=timeout
        )

    def close(self) -> None:
        self._client.close()

    def _call(self, call: Callable[[], T]) -> T:
        """Run a client call; its errors become the core's (the server's detail, not the status line)."""
        try:
            return call()
        except self._errors.APIError as error:
            raise _error(error, self._errors) from None
        except self._errors.TransportError as error:
            raise ExternalError(f"cannot reach {scrub(self.url)}: {error}") from None

    # -- projects -------------------------------------------------------------------------------------

    def init_project(
        self,
        name: str,
        dialect: str = "postgres",
        description: str = "",
        *,
        diff_rules: Mapping[str, Any] | None = None,
        default_env: str | None = None,
        engine: str = "sqlglot",
    ) -> Project:
        if diff_rules:
            raise InputError("diff rules are set in the project's config on the server")
        if name in {project.name for project in self.projects()}:
            raise Conflict(f"project {name!r} exists already")
        created = self._call(
            lambda: self._client.create_project(
                name, dialect, description=description, default_env=default_env, engine=engine
            )
        )
        return _project(created)

    def update_project(
        self,
        name: str,
        *,
        dialect: str | None = None,
        description: str | None = None,
        default_env: str | None = None,
        engine: str | None = None,
    ) -> Project:
        self.project(name)  # NotFound rather than a project created by the PUT
        updated = self._call(
            lambda: self._client.create_project(
                name, dialect, description=description, default_env=default_env, engine=engine
            )
        )
        return _project(updated)

    def projects(self) -> list[Project]:
        return [_project(item) for item in self._call(self._client.projects)]

    def project(self, name: str) -> Project:
        return _project(self._call(lambda: self._client.project(name)))

    def rules(self, project: str) -> DiffRules:
        """The server applies the project's ignore rules itself (in `diff`); none are known here."""
        self.project(project)
        return NO_RULES

    # -- writing --------------------------------------------------------------------------------------

    def snapshot(
        self,
        project: str,
        env: str,
        schema: Schema | str,
        *,
        dialect: str | None = None,
        message: str | None = None,
        source: Source = "ddl",
        description: str = "",
        seed_data: str | None = None,
        metadata: SnapshotMetadata | None = None,
        force: bool = False,
        forced_by: str = "",  # the server records the token that forced it
    ) -> SnapshotResult:
        """Post the DDL; a Schema (a live database introspected here) is posted as its canonical DDL,
        which the server normalises to the same fingerprint."""
        if seed_data is not None:
            raise InputError("seed data (--seed-tables) cannot be posted to a server: the API takes DDL only")
        if isinstance(schema, Schema):
            ddl, dialect = render_schema_sql(schema), schema.dialect
        else:
            ddl = schema
        result = self._call(
            lambda: self._client.post_snapshot(
                project, env, ddl, dialect, message=message, description=description, force=force
            )
        )
        return _snapshot_result(result)

    def promote(
        self,
        project: str,
        env: str,
        from_: str,
        *,
        message: str | None = None,
        force: bool = False,
        forced_by: str = "",
    ) -> SnapshotResult:
        return _snapshot_result(
            self._call(lambda: self._client.promote(project, env, from_, message=message, force=force))
        )

    def release(
        self,
        project: str,
        name: str,
        ref: str | None = None,
        *,
        description: str = "",
        env: str | None = None,
        schema: Schema | str | None = None,
        dialect: str | None = None,
        seed_data: str | None = None,
        metadata: SnapshotMetadata | None = None,
        source: Source = "ddl",
        force: bool = False,
        forced_by: str = "",
    ) -> Release:
        if schema is not None or seed_data is not None:
            if env is None:
                raise InputError("a release from a schema needs the env to snapshot it into")
            if schema is None:
                raise InputError(
                    "seed data (--seed-tables) cannot be posted to a server: the API takes DDL only"
                )
            self.snapshot(
                project,
                env,
                schema,
                dialect=dialect,
                description=description,
                seed_data=seed_data,
                force=force,
            )
        target = env if env is not None else ref
        if target is None:
            raise InputError("a release needs a ref or an env")
        released = self._call(
            lambda: self._client.release(project, name, target, description=description, force=force)
        )
        return _as(released, Release)

    def compatibility(self, project: str, env: str) -> Compatibility:
        return Compatibility(self._call(lambda: self._client.compatibility(project, env)))

    def set_compatibility(self, project: str, env: str, level: Compatibility) -> Compatibility:
        return Compatibility(self._call(lambda: self._client.set_compatibility(project, env, level.value)))

    def record_drift(self, project: str, env: str, report: Mapping[str, Any]) -> None:
        self._call(lambda: self._client.record_drift(project, env, report))

    # -- reading --------------------------------------------------------------------------------------

    def expected(self, project: str, env: str) -> Snapshot:
        return _as(self._call(lambda: self._client.expected(project, env, cached=False)), Snapshot)

    def version(self, project: str, ref: str) -> Snapshot:
        return _as(self._call(lambda: self._client.version(project, ref)), Snapshot)

    def environments(self, project: str) -> list[Environment]:
        return [_as(item, Environment) for item in self._call(lambda: self._client.environments(project))]

    def releases(self, project: str) -> list[Release]:
        return [_as(item, Release) for item in self._call(lambda: self._client.releases(project))]

    def default_env(self, project: str) -> str:
        names = sorted(env.name for env in self.environments(project))
        if not names:
            raise NotFound(f"project {project!r} has no environments")
        return "production" if "production" in names else names[0]

    def check(self, project: str, env: str, ddl: str, *, dialect: str | None) -> CheckAnswer:
        """`POST .../check`: whether `ddl` equals the env's head, with the diff from the head to it (the
        server's normaliser and the project's ignore rules there); stores nothing."""
        answer = self._call(lambda: self._client.check(project, env, ddl=ddl, dialect=dialect))
        return _as(answer, CheckAnswer)

    def schema_sql(self, project: str, ref: str) -> str:
        text: str = self._call(lambda: self._client.schema_sql(project, ref))
        return text

    def schema_at(self, project: str, ref: str) -> Schema:
        """The snapshot's schema, rebuilt here from its schema.sql in its dialect."""
        snapshot = self.version(project, ref)
        dialect = snapshot.info.dialect or self.project(project).dialect
        parsed: Schema = normalize(self.schema_sql(project, snapshot.sha), dialect)
        return parsed

    def diff(self, project: str, from_ref: str, to_ref: str, *, rules: DiffRules | None = None) -> Diff:
        """The server's diff, with the project's ignore rules there; `rules` from here do not apply (the
        server knows only its own)."""
        return _as(self._call(lambda: self._client.diff(project, from_ref, to_ref)), Diff)

    def changelog(self, project: str, from_ref: str, to_ref: str, *, title: str | None = None) -> str:
        text: str = self._call(lambda: self._client.changelog(project, from_ref, to_ref, title=title))
        return text

    def history(self, project: str, env: str, *, limit: int | None = None) -> list[HistoryEntry]:
        entries = self._call(lambda: self._client.history(project, env, limit=limit))
        return [_as(entry, HistoryEntry) for entry in entries]

    def log(self, project: str, ref: str, *, limit: int | None = None) -> list[HistoryEntry]:
        """The API serves the history of an env; other refs have no log there."""
        if ref not in {env.name for env in self.environments(project)}:
            raise InputError(f"with --registry, log shows an environment's history: {ref!r} is not one")
        return self.history(project, ref, limit=limit)

    def table_history(self, project: str, table: str, *, env: str | None = None) -> TableHistory:
        return _as(self._call(lambda: self._client.table_history(project, table, env=env)), TableHistory)


def _snapshot_result(result: schemareg_client.SnapshotResult) -> SnapshotResult:
    def keys(items: list[schemareg_client.ObjectName]) -> tuple[ObjectKey, ...]:
        return tuple(ObjectKey(Kind(item.kind), item.name) for item in items)

    return SnapshotResult(
        env=result.env,
        created=result.created,
        version=_as(result.version, Snapshot),
        changes=ObjectChanges(
            added=keys(result.changes.added),
            removed=keys(result.changes.removed),
            modified=keys(result.changes.modified),
        ),
        warnings=tuple(
            Issue(line=w.line, column=w.column, message=w.message, statement=w.statement, outcome=w.outcome)
            for w in result.warnings
        ),
    )


def _error(error: schemareg_client.APIError, client: Any) -> SchemaregError:
    problem = error.problem
    detail = problem.detail or problem.title
    if isinstance(error, client.ValidationError) and problem.line is not None:
        # The server's detail says where as an error with no file does: the reason follows the place.
        where = f"line {problem.line}:{problem.column or 0}: "
        parse_error = SQLParseError(detail.removeprefix(where), line=problem.line, column=problem.column or 0)
        parse_error.args = (detail,)
        return parse_error
    if isinstance(error, client.NotFound):
        return NotFound(detail)
    if isinstance(error, client.Conflict):
        return Conflict(detail)
    if isinstance(error, client.ValidationError):
        return InputError(detail)
    return ExternalError(f"the registry answered {error.status}: {detail}")

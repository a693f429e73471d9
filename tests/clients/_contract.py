"""The client's contract, as one scenario per client flavour: every method against a real server (in
process or over a socket), and every error class from the server's own answers. The scenario starts from
an empty data dir whose server has the tokens of `_data.TOKENS` and a 64 KiB body limit."""

from __future__ import annotations

import re

import pytest

from schemareg_client import (
    APIError,
    AsyncClient,
    Client,
    Conflict,
    Forbidden,
    NotFound,
    SchemaregError,
    Unauthorized,
    ValidationError,
)
from tests.clients._data import BAD_SQL, V1, V3

SHA = re.compile(r"^[0-9a-f]{40}$")
MAX_BODY = 64 * 1024
HUGE_SQL = "CREATE TABLE big (id bigint);\n" + "-- padding\n" * (MAX_BODY // 10)


def run_sync(client: Client, reader: Client, anonymous: Client, statuses: list[int]) -> None:
    """Drive every method of `Client`; `statuses` records the status of every answer `client` got."""
    assert client.health()["status"] == "ok"
    project = client.create_project("shop", "postgres", description="the shop")
    assert (project.name, project.dialect, project.description) == ("shop", "postgres", "the shop")
    assert client.create_project("shop", default_env="production").default_env == "production"
    assert client.create_project("shop", default_env="").default_env is None

    first = client.post_snapshot("shop", "staging", V1, message="first")
    assert first.created and SHA.match(first.sha) and first.fingerprint.startswith("sha256:")
    assert first.version.sha == first.sha and [o.name for o in first.changes.added] == ["public.users"]
    again = client.post_snapshot("shop", "staging", V1, retry=True)
    assert not again.created and again.sha == first.sha

    # The ETag cache: the second poll is a 304 answered from the cache.
    expected = client.expected("shop", "staging")
    assert (expected.project, expected.env, expected.sha) == ("shop", "staging", first.sha)
    statuses.clear()
    assert client.expected("shop", "staging") == expected
    assert statuses == [304]
    assert client.expected("shop", "staging", cached=False) == expected and statuses[-1] == 200

    promoted = client.promote("shop", "production", "staging")
    assert promoted.created and promoted.fingerprint == first.fingerprint
    release = client.release("shop", "v1.0.0", "production", description="first release")
    assert (release.name, release.fingerprint, release.description) == (
        "v1.0.0",
        first.fingerprint,
        "first release",
    )

    third = client.post_snapshot("shop", "staging", V3, "postgres", message="orders")
    assert third.created and third.sha != first.sha
    assert {o.name for o in third.changes.added} == {"public.orders"}
    assert [o.name for o in third.changes.modified] == ["public.users"]
    moved = client.expected("shop", "staging")  # the env moved: a 200 with the new head, not the cache
    assert moved.sha == third.sha and statuses[-1] == 200
    client.release("shop", "v1.1.0", "staging", description="orders")
    head = client.expected("shop", "staging").sha  # cutting a release commits on the env

    matching = client.check("shop", "production", fingerprint=first.fingerprint)
    assert matching.match and matching.diff is None
    assert matching.sha == client.expected("shop", "production").sha
    assert client.check("shop", "production", ddl=V1).match
    differing = client.check("shop", "production", ddl=V3, dialect="postgres")
    assert not differing.match and differing.diff is not None
    assert {change.object for change in differing.diff.changes} == {"public.orders", "public.users"}

    diff = client.diff("shop", "v1.0.0", "v1.1.0")
    assert (diff.from_, diff.to, diff.semver) == ("v1.0.0", "v1.1.0", "minor")
    assert any(c.change == "add" and c.object == "public.orders" for c in diff.changes)
    assert "+CREATE TABLE public.orders" in client.unified_diff("shop", "v1.0.0", "v1.1.0")
    changelog = client.changelog("shop", "v1.0.0", "v1.1.0")
    assert changelog.startswith("# Schema Version v1.1.0") and "`orders` table" in changelog
    assert client.changelog("shop", "v1.0.0", "v1.1.0", title="Next").startswith("# Schema Version Next")
    assert "CREATE TABLE public.users" in client.schema_sql("shop", "v1.0.0")
    assert "public.orders" not in client.schema_sql("shop", "v1.0.0")
    assert {o.name for o in client.objects("shop", "v1.1.0")} == {"public.orders", "public.users"}
    assert client.version("shop", "v1.0.0").release == "v1.0.0"
    assert client.version("shop", first.sha[:10]).sha == first.sha
    history = [entry.sha for entry in client.history("shop", "staging")]
    assert history[-1] == first.sha and third.sha in history  # newest first
    assert len(client.history("shop", "staging", limit=1)) == 1
    assert [r.name for r in client.releases("shop")] == ["v1.0.0", "v1.1.0"]
    detail = client.project("shop")
    assert {e.name for e in detail.environments} == {"production", "staging"} and len(detail.releases) == 2
    assert [p.name for p in client.projects()] == ["shop"]
    assert {e.name: e.sha for e in client.environments("shop")}["staging"] == head

    # Every error class, from the server's answers; nothing is stored by a refused request.
    with pytest.raises(NotFound) as missing:
        client.expected("shop", "nope")
    assert missing.value.status == 404 and missing.value.problem.type.endswith("not-found")
    with pytest.raises(NotFound):
        client.diff("shop", "v1.0.0", "v9.9.9")
    with pytest.raises(Conflict) as conflict:
        client.release("shop", "v1.0.0", "staging")
    assert conflict.value.status == 409
    with pytest.raises(ValidationError) as parse_error:
        client.post_snapshot("shop", "staging", BAD_SQL)
    problem = parse_error.value.problem
    assert problem.status == 422 and problem.line is not None and problem.column is not None
    assert f"line {problem.line}" in str(parse_error.value)
    with pytest.raises(ValidationError) as bad_name:
        client.release("shop", "bad..name", "staging")
    assert bad_name.value.status == 400
    with pytest.raises(ValidationError) as too_large:
        client.post_snapshot("shop", "staging", HUGE_SQL)
    assert too_large.value.status == 413
    with pytest.raises(ValueError):
        client.check("shop", "staging", ddl=V1, fingerprint=first.fingerprint)
    with pytest.raises(Unauthorized) as no_token:
        anonymous.expected("shop", "staging")
    assert no_token.value.status == 401 and not isinstance(no_token.value, Forbidden)
    assert reader.expected("shop", "staging").sha == head
    with pytest.raises(Forbidden) as forbidden:
        reader.post_snapshot("shop", "staging", V1)
    assert forbidden.value.status == 403 and isinstance(forbidden.value, Unauthorized)
    for error in (missing, conflict, parse_error, no_token, forbidden):
        assert isinstance(error.value, APIError) and isinstance(error.value, SchemaregError)
    assert client.expected("shop", "staging", cached=False).sha == head


async def run_async(client: AsyncClient, reader: AsyncClient, anonymous: AsyncClient) -> None:
    """The same contract for `AsyncClient`, method for method."""
    assert (await client.health())["status"] == "ok"
    await client.create_project("shop", description="the shop")
    first = await client.post_snapshot("shop", "staging", V1)
    assert first.created and SHA.match(first.sha)
    assert not (await client.post_snapshot("shop", "staging", V1, retry=True)).created
    expected = await client.expected("shop", "staging")
    assert expected.sha == first.sha and await client.expected("shop", "staging") == expected
    assert (await client.promote("shop", "production", "staging", message="go")).created
    await client.release("shop", "v1.0.0", "production")
    third = await client.post_snapshot("shop", "staging", V3)
    assert (await client.expected("shop", "staging")).sha == third.sha
    await client.release("shop", "v1.1.0", "staging")
    assert (await client.check("shop", "production", fingerprint=first.fingerprint)).match
    assert not (await client.check("shop", "production", ddl=V3)).match
    assert (await client.diff("shop", "v1.0.0", "v1.1.0")).semver == "minor"
    assert "public.orders" in await client.unified_diff("shop", "v1.0.0", "v1.1.0")
    assert (await client.changelog("shop", "v1.0.0", "v1.1.0")).startswith("# Schema Version v1.1.0")
    assert "CREATE TABLE" in await client.schema_sql("shop", "v1.0.0")
    assert len(await client.objects("shop", "v1.1.0")) == 2
    assert (await client.version("shop", "v1.0.0")).release == "v1.0.0"
    assert (await client.history("shop", "staging"))[-1].sha == first.sha
    assert [r.name for r in await client.releases("shop")] == ["v1.0.0", "v1.1.0"]
    assert len((await client.project("shop")).environments) == 2
    assert len(await client.projects()) == 1 and len(await client.environments("shop")) == 2

    with pytest.raises(NotFound):
        await client.expected("shop", "nope")
    with pytest.raises(Conflict):
        await client.release("shop", "v1.0.0", "staging")
    with pytest.raises(ValidationError) as parse_error:
        await client.post_snapshot("shop", "staging", BAD_SQL)
    assert parse_error.value.problem.line is not None
    with pytest.raises(ValidationError):
        await client.post_snapshot("shop", "staging", HUGE_SQL)
    with pytest.raises(Unauthorized):
        await anonymous.expected("shop", "staging")
    with pytest.raises(Forbidden):
        await reader.promote("shop", "production", "staging")

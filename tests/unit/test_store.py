"""The git store's plumbing: names, objects, compare-and-swap refs, immutable tags, locks and recovery."""

from __future__ import annotations

import threading
from collections.abc import Collection
from pathlib import Path

import pytest
from dulwich.objects import ShaFile

from schemareg import store
from schemareg.errors import Conflict, InvalidName, NotFound, StoreError
from schemareg.store import ProjectRepo, check_env_name, check_project_name, check_release_name

FILES = {
    "info.json": b'{"fingerprint": "sha256:1"}\n',
    "schema.sql": b"CREATE TABLE public.a (x INT);\n",
    "objects/tables/public.a.sql": b"CREATE TABLE public.a (x INT);\n",
}


@pytest.fixture
def repo(tmp_path: Path) -> ProjectRepo:
    return ProjectRepo.create(tmp_path / "shop.git")


def commit(repo: ProjectRepo, files: dict[str, bytes], parents: list[str], message: str = "snapshot") -> str:
    return repo.write_commit(repo.write_tree(files), parents, message)


@pytest.mark.parametrize("name", ["v1.2.0", "release-2024.01", "v1.0.0+build.5", "team/v2", "v1.0.0-rc.1"])
def test_release_names_that_git_accepts(name: str) -> None:
    assert check_release_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "v1..2",
        "v1.lock",
        "-v1",
        "v1 2",
        "v1~1",
        "v1^",
        "v1:2",
        "a?b",
        "a*b",
        "a[b",
        "v1/",
        "/v1",
        "@",
        "a@{1}",
        "x\\y",
        "abc123",
        "deadbeef",
    ],
)
def test_release_names_that_git_refuses(name: str) -> None:
    with pytest.raises(InvalidName):
        check_release_name(name)


@pytest.mark.parametrize("name", ["production", "staging-eu", "qa_2", "pr.123"])
def test_env_and_project_names(name: str) -> None:
    assert check_env_name(name) == name
    assert check_project_name(name) == name


@pytest.mark.parametrize(
    "name", ["", "HEAD", "a/b", ".hidden", "x.lock", "x.git", "a..b", "cafe", "é", "a b", "x" * 101]
)
def test_bad_env_names(name: str) -> None:
    with pytest.raises(InvalidName):
        check_env_name(name)


def test_create_twice_is_a_conflict(tmp_path: Path) -> None:
    ProjectRepo.create(tmp_path / "shop.git")
    with pytest.raises(Conflict):
        ProjectRepo.create(tmp_path / "shop.git")
    assert [p.name for p in tmp_path.iterdir()] == ["shop.git"]  # no staging dir left behind


def test_open_missing_repo(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        ProjectRepo(tmp_path / "nope.git")


def test_commit_and_read_back(repo: ProjectRepo) -> None:
    sha = commit(repo, FILES, [])
    info = repo.commit(sha)
    assert info.parents == () and info.subject == "snapshot"
    assert repo.files(info.tree).keys() == FILES.keys()
    assert repo.read_file(info.tree, "objects/tables/public.a.sql") == FILES["objects/tables/public.a.sql"]
    assert repo.read_file(info.tree, "objects/tables/missing.sql") is None
    assert repo.commits_with_prefix(sha[:7]) == [sha]


def test_refs_move_only_by_compare_and_swap(repo: ProjectRepo) -> None:
    first = commit(repo, FILES, [])
    second = commit(repo, {**FILES, "schema.sql": b"--\n"}, [first])
    repo.set_ref("refs/heads/production", None, first)
    with pytest.raises(Conflict):
        repo.set_ref("refs/heads/production", None, second)  # must not exist yet
    with pytest.raises(Conflict):
        repo.set_ref("refs/heads/production", second, first)  # stale expectation
    repo.set_ref("refs/heads/production", first, second)
    assert repo.ref("refs/heads/production") == second
    assert [c.sha for c in repo.walk(second)] == [second, first]


def test_tags_are_immutable(repo: ProjectRepo) -> None:
    sha = commit(repo, FILES, [])
    repo.create_tag("v1.0.0", sha, "Release v1.0.0")
    with pytest.raises(Conflict, match="immutable"):
        repo.create_tag("v1.0.0", sha, "again")
    [tag] = repo.tags()
    assert (tag.name, tag.target) == ("v1.0.0", sha)
    assert repo.commit(tag.sha).sha == sha  # a tag peels to its commit


def test_update_tree_shares_the_objects_folder(repo: ProjectRepo) -> None:
    tree = repo.commit(commit(repo, FILES, [])).tree
    updated = repo.update_tree(tree, {"README.md": b"# v1\n", "info.json": b"{}\n"})
    assert repo.lookup(updated, "objects") == repo.lookup(tree, "objects")
    assert repo.read_file(updated, "README.md") == b"# v1\n"
    assert repo.read_file(updated, "info.json") == b"{}\n"


def test_lock_serialises_threads(repo: ProjectRepo) -> None:
    counter = repo.path / "counter"
    counter.write_text("0")

    def bump() -> None:
        for _ in range(50):
            with repo.lock.hold():
                counter.write_text(str(int(counter.read_text()) + 1))

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter.read_text() == "200"


def test_a_crashed_writer_is_noticed_and_its_locks_removed(repo: ProjectRepo) -> None:
    with repo.lock.hold() as crashed:
        assert not crashed
    # What a writer killed mid-write leaves: its pid in our lock file and git's lock files.
    (repo.path / store.LOCK_FILE).write_text("12345\n")
    (repo.path / "refs" / "heads" / "production.lock").write_text("x")
    (repo.path / "objects" / "ab").mkdir()
    (repo.path / "objects" / "ab" / ("c" * 38 + ".lock")).write_text("x")
    with repo.lock.hold() as crashed:
        assert crashed
        removed = repo.recover()
    assert sorted(removed) == sorted(["refs/heads/production.lock", f"objects/ab/{'c' * 38}.lock"])
    with repo.lock.hold() as crashed:
        assert not crashed


def test_a_ref_locked_by_another_git_process(repo: ProjectRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store.repo, "REF_LOCK_RETRY", 0.05)  # read where the retry runs
    sha = commit(repo, FILES, [])
    (repo.path / "refs" / "heads" / "production.lock").write_text("x")
    with pytest.raises(StoreError, match="locked by another git process"):
        repo.set_ref("refs/heads/production", None, sha)


def test_lock_timeout(repo: ProjectRepo) -> None:
    other = store.ProjectLock(repo.lock.path, timeout=0.05)
    with repo.lock.hold(), pytest.raises(StoreError, match="timed out"), other.hold():
        pass


def test_gc_without_git_packs_loose_objects(repo: ProjectRepo) -> None:
    first = commit(repo, FILES, [])
    repo.set_ref("refs/heads/production", None, first)
    result = repo.gc(use_git=False)
    assert result.tool == "dulwich"
    assert result.loose_before > 0 and result.loose_after == 0 and result.packs_after == 1
    assert repo.files(repo.commit(first).tree).keys() == FILES.keys()


def _loose(repo: ProjectRepo) -> list[Path]:
    objects = repo.path / "objects"
    return [p for p in objects.glob("??/*") if p.is_file()]


def test_many_new_objects_are_written_as_one_pack(repo: ProjectRepo) -> None:
    files = {
        f"objects/tables/public.t{n}.sql": f"CREATE TABLE public.t{n} (x INT);\n".encode() for n in range(200)
    }
    sha = commit(repo, files, [])
    assert len(_loose(repo)) == 1  # the commit, written on its own
    assert len(list((repo.path / "objects" / "pack").glob("pack-*.idx"))) == 1
    tree = repo.commit(sha).tree
    assert repo.read_file(tree, "objects/tables/public.t199.sql") == b"CREATE TABLE public.t199 (x INT);\n"


def test_a_small_write_stays_loose(repo: ProjectRepo) -> None:
    commit(repo, FILES, [])
    assert len(_loose(repo)) >= len(FILES)
    assert list((repo.path / "objects" / "pack").glob("pack-*")) == []


def test_recover_removes_a_pack_left_without_its_index(repo: ProjectRepo) -> None:
    orphan = repo.path / "objects" / "pack" / ("pack-" + "0" * 40 + ".pack")
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"PACK")
    (repo.path / "objects" / "pack" / "tmpabc.pack").write_bytes(b"PACK")
    removed = repo.recover()
    assert not orphan.exists()
    assert sorted(removed) == sorted(["objects/pack/tmpabc.pack", f"objects/pack/{orphan.name}"])


def test_a_tree_after_its_parent_writes_only_the_changed_files(repo: ProjectRepo) -> None:
    """The files the parent's tree has need no object built, no lookup and no write: the tree is the
    same as when every file is written, and it reads back whole."""
    files = {
        f"objects/tables/public.t{n}.sql": f"CREATE TABLE public.t{n} (x INT);\n".encode() for n in range(100)
    }
    first = repo.write_tree(files)
    present = set(repo.files(first).values())
    changed = {**files, "objects/tables/public.t7.sql": b"CREATE TABLE public.t7 (y INT);\n"}
    written: list[bytes] = []
    original = repo.add_objects

    def add_objects(objects: list[ShaFile], present: Collection[str] = ()) -> None:
        written.extend(obj.id for obj in objects if obj.id.decode() not in present)
        original(objects, present)

    repo.add_objects = add_objects  # type: ignore[method-assign]
    second = repo.write_tree(changed, present)
    assert len(written) == 4  # the changed file, its folder, objects/ and the root
    del repo.add_objects
    assert second == repo.write_tree(changed)  # the same tree as written without the hint
    assert repo.read_file(second, "objects/tables/public.t7.sql") == b"CREATE TABLE public.t7 (y INT);\n"
    assert repo.files(second) == {path: store.blob_id(content) for path, content in changed.items()}


def test_object_changes_parse_only_what_differs_and_agree_with_a_full_comparison() -> None:
    from schemareg import snapshots
    from schemareg.snapshots import object_changes

    before = {f"objects/tables/public.t{n}.sql": f"{n}" for n in range(50)} | {"README.md": "r"}
    after = {path: sha for path, sha in before.items() if path != "objects/tables/public.t3.sql"}
    after |= {"objects/tables/public.t4.sql": "changed", "objects/views/public.v.sql": "v", "README.md": "s"}
    parsed: list[str] = []
    key_of_path = snapshots.key_of_path

    def counting(path: str) -> object:
        parsed.append(path)
        return key_of_path(path)

    snapshots.key_of_path = counting  # type: ignore[assignment]
    try:
        changes = object_changes(before, after)
    finally:
        snapshots.key_of_path = key_of_path
    assert len(parsed) <= 6
    old = {key: sha for path, sha in before.items() if (key := key_of_path(path))}
    new = {key: sha for path, sha in after.items() if (key := key_of_path(path))}
    assert changes.added == tuple(sorted(new.keys() - old.keys()))
    assert changes.removed == tuple(sorted(old.keys() - new.keys()))
    assert changes.modified == tuple(sorted(k for k in old.keys() & new.keys() if old[k] != new[k]))
    assert [len(changes.added), len(changes.removed), len(changes.modified)] == [1, 1, 1]


def test_loose_objects_are_compressed_as_git_does_unless_the_repo_says(tmp_path: Path) -> None:
    """git writes loose objects at zlib level 1 when neither core.compression nor core.looseCompression
    is set (gc packs them at the pack level later); a repo's own setting is kept."""
    repo = ProjectRepo.create(tmp_path / "shop.git")
    sha = commit(repo, {"schema.sql": b"CREATE TABLE t (id int);\n" * 500}, [])
    blob = repo.lookup(repo.commit(sha).tree, "schema.sql")
    assert blob is not None
    loose = repo.path / "objects" / blob[:2] / blob[2:]
    assert loose.read_bytes()[:2] == b"\x78\x01"  # zlib's header of level 1 (6 is 78 9c)
    assert repo.blob(blob) == b"CREATE TABLE t (id int);\n" * 500
    repo.close()
    with (tmp_path / "shop.git" / "config").open("a") as handle:
        handle.write("[core]\n\tlooseCompression = 9\n")
    again = ProjectRepo(tmp_path / "shop.git")
    assert again.repo.object_store.loose_compression_level == 9
    again.close()


def test_a_loose_write_that_fails_fails_the_write(repo: ProjectRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loose objects are written side by side: one that cannot be written still fails the whole write
    before any ref could name it."""
    store_ = repo.repo.object_store
    original = store_.add_object

    def flaky(obj: ShaFile) -> None:
        if obj.type_name == b"tree":
            raise OSError(28, "No space left on device")
        original(obj)

    monkeypatch.setattr(store_, "add_object", flaky)
    with pytest.raises(OSError, match="No space"):
        repo.write_tree(FILES)


def test_a_tree_from_known_blob_ids_is_the_tree_from_the_files(repo: ProjectRepo) -> None:
    from schemareg.store import blob_ids

    assert repo.write_tree(FILES, ids=blob_ids(FILES)) == repo.write_tree(FILES)


def test_a_commit_of_files_in_one_write_is_the_commit_of_its_tree(repo: ProjectRepo) -> None:
    parent = commit(repo, FILES, [])
    changed = {**FILES, "objects/tables/public.b.sql": b"CREATE TABLE public.b (y INT);\n"}
    sha = repo.commit_files(
        changed, [parent], "two", present=set(repo.files(repo.commit(parent).tree).values())
    )
    assert repo.commit(sha).tree == repo.write_tree(changed)
    assert repo.commit(sha).parents == (parent,)
    assert (
        repo.read_file(repo.commit(sha).tree, "objects/tables/public.b.sql")
        == changed["objects/tables/public.b.sql"]
    )

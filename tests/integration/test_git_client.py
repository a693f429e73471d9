"""The registry's repos read by the real `git`: fsck --strict, clone, log, show."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from schemareg.service import Registry

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs the git client"),
]

V1 = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);"
V2 = V1 + "\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));"
V3 = V2 + "\nALTER TABLE users ADD COLUMN name text;"


def git(*args: str, cwd: Path) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("data")
    registry = Registry(root)
    registry.init_project("shop", "postgres", "the shop database")
    registry.snapshot("shop", "staging", V1)
    registry.promote("shop", "production", "staging")
    registry.release("shop", "v1.0.0", env="production", description="first release")
    registry.snapshot("shop", "staging", V2, message="add orders")
    registry.snapshot("shop", "staging", V3)
    registry.release("shop", "v1.1.0", env="staging")
    registry.promote("shop", "production", "v1.1.0")
    return root


def test_fsck_strict_is_clean(data_dir: Path) -> None:
    result = subprocess.run(
        ["git", "fsck", "--strict", "--no-dangling"],
        cwd=data_dir / "shop.git",
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr.lower() and "warning" not in result.stderr.lower()


def test_clone_shows_env_branches_and_release_tags(data_dir: Path, tmp_path: Path) -> None:
    git("clone", "--quiet", str(data_dir / "shop.git"), "clone", cwd=tmp_path)
    clone = tmp_path / "clone"
    branches = git("branch", "-r", cwd=clone).split()
    assert "origin/production" in branches and "origin/staging" in branches
    assert git("tag", "--list", cwd=clone).split() == ["v1.0.0", "v1.1.0"]
    assert git("cat-file", "-t", "v1.0.0", cwd=clone).strip() == "tag"  # annotated
    checked_out = sorted(path.name for path in clone.iterdir() if path.name != ".git")
    assert checked_out == ["README.md", "info.json", "objects", "schema.sql"]
    assert (clone / "objects" / "tables" / "public.users.sql").read_text().startswith("CREATE TABLE")


def test_git_log_on_an_env_reads_well(data_dir: Path) -> None:
    subjects = git("log", "--format=%s", "staging", cwd=data_dir / "shop.git").splitlines()
    assert subjects == [
        "release v1.1.0",
        "snapshot staging: 1 table changed (+0 -0 ~1)",
        "snapshot staging: 1 table changed (+1 -0 ~0)",
        "snapshot staging: initial, 1 table",
    ]
    production = git("log", "--format=%s", "production", cwd=data_dir / "shop.git").splitlines()
    assert production[0].startswith("promote v1.1.0 to production: 2 tables changed (+1 -0 ~1)")
    assert production[1] == "release v1.0.0: first release"
    body = git("log", "-1", "--format=%b", "staging~2", cwd=data_dir / "shop.git")
    assert "add orders" in body and "+ table public.orders" in body and "fingerprint: sha256:" in body


def test_release_files_from_git(data_dir: Path) -> None:
    repo = data_dir / "shop.git"
    readme = git("show", "v1.1.0:README.md", cwd=repo)
    assert readme.startswith("# Schema Version v1.1.0")
    assert "orders" in readme
    info = git("show", "v1.1.0:info.json", cwd=repo)
    assert '"version": "v1.1.0"' in info
    assert (
        git("show", "-s", "--format=%an <%ae>", "v1.1.0^{commit}", cwd=repo).strip()
        == "schemareg <schemareg@localhost>"
    )


def _checked_out_branch(url: str, cwd: Path, name: str) -> str:
    git("clone", "--quiet", url, name, cwd=cwd)
    return git("rev-parse", "--abbrev-ref", "HEAD", cwd=cwd / name).strip()


def test_clone_checks_out_the_default_env_not_the_newest(tmp_path: Path) -> None:
    """HEAD is production once it exists, whatever env was written last, and the project's default_env
    moves it; over the git HTTP endpoint as on disk."""
    from tests.support.server import serve

    registry = Registry(tmp_path / "data")
    registry.init_project("shop")
    repo = tmp_path / "data" / "shop.git"
    registry.snapshot("shop", "staging", V1)
    assert _checked_out_branch(str(repo), tmp_path, "first") == "staging"  # the only env
    registry.promote("shop", "production", "staging")
    registry.snapshot("shop", "staging", V2)
    registry.snapshot("shop", "dev", V3)  # the newest env, written last
    assert _checked_out_branch(str(repo), tmp_path, "second") == "production"
    assert registry.default_env("shop") == "production"

    registry.update_project("shop", default_env="staging")
    assert _checked_out_branch(str(repo), tmp_path, "third") == "staging"
    registry.snapshot("shop", "production", V3)
    assert _checked_out_branch(str(repo), tmp_path, "fourth") == "staging"  # stays after other writes
    assert registry.project("shop").default_env == "staging" and registry.default_env("shop") == "staging"
    registry.update_project("shop", default_env="qa")  # not an env yet: the rule applies until it is
    assert _checked_out_branch(str(repo), tmp_path, "fifth") == "production"
    registry.snapshot("shop", "qa", V1)
    with serve(tmp_path / "data") as base:
        assert _checked_out_branch(f"{base}/git/shop.git", tmp_path, "over-http") == "qa"
    registry.update_project("shop", default_env="")
    assert registry.project("shop").default_env is None
    assert _checked_out_branch(str(repo), tmp_path, "sixth") == "production"

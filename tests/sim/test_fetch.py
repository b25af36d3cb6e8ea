"""clouddriver's artifact fetch from the simulated stores (clouddriver-artifacts/.../*ArtifactCredentials.java)."""

from __future__ import annotations

import pytest

from spinpromote.sim.clock import Ids
from spinpromote.sim.clouddriver import FetchError, fetch
from spinpromote.sim.stores import GitHost


@pytest.fixture
def git() -> GitHost:
    git = GitHost(Ids())
    git.commit("acme/demo", branch="master", files={"k8s/web.yml": "on master"})
    git.commit("acme/demo", branch="main", files={"k8s/web.yml": "on main", "k8s/db.yml": "db"})
    return git


def test_github_file_fetches_version_or_master(git: GitHost) -> None:
    """GitHubArtifactCredentials.java:73-81: ``?ref=<version or master>``; a branch resolves to its tip."""
    reference = "https://api.github.com/repos/acme/demo/contents/k8s/web.yml"
    assert fetch({"type": "github/file", "reference": reference, "version": "main"}, git).text == "on main"
    assert fetch({"type": "github/file", "reference": reference}, git).text == "on master"
    with pytest.raises(FetchError, match="no branch, tag or commit 'nope'"):
        fetch({"type": "github/file", "reference": reference, "version": "nope"}, git)


def test_gitlab_file_uses_the_encoded_project_path(git: GitHost) -> None:
    """GitlabArtifactCredentials.java:58-66: the raw-file API, ``?ref=<version or master>``."""
    reference = "https://gitlab.com/api/v4/projects/acme%2Fdemo/repository/files/k8s%2Fweb.yml/raw"
    assert fetch({"type": "gitlab/file", "reference": reference, "version": "main"}, git).text == "on main"


def test_bitbucket_file_ignores_the_version(git: GitHost) -> None:
    """SimpleHttpArtifactCredentials.java:34-43: the URL alone decides what is read."""
    reference = "https://bitbucket.org/projects/acme/demo/raw/k8s/web.yml?at=main"
    artifact = {"type": "bitbucket/file", "reference": reference, "version": "master"}
    assert fetch(artifact, git).text == "on main"


def test_git_repo_reads_a_folder_at_a_branch(git: GitHost) -> None:
    """GitRepoArtifactCredentials.java:59-150: clone the branch (default master), archive ``subPath``."""
    artifact = {"type": "git/repo", "reference": "https://github.com/acme/demo.git", "version": "main"}
    fetched = fetch({**artifact, "metadata": {"subPath": "k8s"}}, git)
    assert fetched.text == "db\n---\non main" and fetched.commit == git.resolve("acme/demo", "main")


def test_unknown_types_are_not_guessed(git: GitHost) -> None:
    """Types the simulator cannot fetch say so."""
    with pytest.raises(FetchError, match="not simulated"):
        fetch({"type": "s3/object", "reference": "s3://bucket/key"}, git)

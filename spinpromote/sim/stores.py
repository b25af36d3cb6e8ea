"""The artifact stores a promotion reads from: a git host whose branches move, and a Docker registry.

A commit id and an image digest are derived from their content and a counter, so they are the same in
every run of the same scenario.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from spinpromote.sim.clock import Ids

__all__ = ["Commit", "DockerRegistry", "GitHost", "Image"]


@attrs.frozen(kw_only=True)
class Commit:
    """One commit: its id, its parent's, and the whole tree (path -> text) after it.

    ```pycon
    >>> git = GitHost(Ids())
    >>> commit = git.commit("acme/demo", branch="main", files={"app.yml": "kind: Deployment"})
    >>> git.get(commit).files
    {'app.yml': 'kind: Deployment'}

    ```
    """

    sha: str
    repo: str
    parent: str | None
    files: Mapping[str, str]
    changed: tuple[str, ...]


class GitHost:
    """Repositories (``owner/name``) of branches that move with each commit.

    ```pycon
    >>> git = GitHost(Ids())
    >>> first = git.commit("acme/demo", branch="main", files={"a.yml": "v1"})
    >>> second = git.commit("acme/demo", branch="main", files={"a.yml": "v2"})
    >>> git.read("acme/demo", "main", "a.yml"), git.read("acme/demo", first, "a.yml")
    ('v2', 'v1')

    ```
    """

    def __init__(self, ids: Ids) -> None:
        self._ids = ids
        self._commits: dict[str, Commit] = {}
        self._branches: dict[tuple[str, str], str] = {}
        self._tags: dict[tuple[str, str], str] = {}

    def commit(self, repo: str, *, branch: str = "main", files: Mapping[str, str | None]) -> str:
        """Commit ``files`` (path -> text; None deletes) on ``branch``; return the new commit id."""
        parent = self._branches.get((repo, branch))
        tree = dict(self._commits[parent].files) if parent else {}
        for path, text in files.items():
            if text is None:
                tree.pop(path, None)
            else:
                tree[path] = text
        content = "\x00".join(f"{path}\x01{tree[path]}" for path in sorted(tree))
        sha = self._ids.sha1(repo, branch, parent or "", content)
        self._commits[sha] = Commit(sha=sha, repo=repo, parent=parent, files=tree, changed=tuple(files))
        self._branches[(repo, branch)] = sha
        return sha

    def tag(self, repo: str, tag: str, ref: str) -> str:
        """Tag the commit ``ref`` (a branch, tag or commit id) as ``tag``; return its commit id."""
        sha = self.resolve(repo, ref)
        if sha is None:
            raise KeyError(f"{repo} has no branch, tag or commit {ref!r}")
        self._tags[(repo, tag)] = sha
        return sha

    def get(self, sha: str) -> Commit:
        """The commit with this id."""
        return self._commits[sha]

    def resolve(self, repo: str, ref: str) -> str | None:
        """The commit id a branch, tag or commit id names now (a branch moves; a commit id does not)."""
        if (repo, ref) in self._branches:
            return self._branches[(repo, ref)]
        if (repo, ref) in self._tags:
            return self._tags[(repo, ref)]
        commit = self._commits.get(ref)
        return ref if commit is not None and commit.repo == repo else None

    def read(self, repo: str, ref: str, path: str) -> str | None:
        """The text of ``path`` at ``ref``, or None when the ref or the file does not exist."""
        sha = self.resolve(repo, ref)
        return None if sha is None else self._commits[sha].files.get(path)


@attrs.frozen(kw_only=True)
class Image:
    """A pushed image: where it lives, its tag and its digest.

    ```pycon
    >>> image = DockerRegistry(Ids()).push("gcr.io", "acme/web", "v2")
    >>> image.name, image.digest.startswith("sha256:")
    ('gcr.io/acme/web', True)

    ```
    """

    registry: str
    repository: str
    tag: str
    digest: str

    @property
    def name(self) -> str:
        """``registry/repository``, as echo names a docker/image artifact."""
        return f"{self.registry}/{self.repository}"


class DockerRegistry:
    """Image tags and the digests they point at; pushing a tag again moves it.

    ```pycon
    >>> registry = DockerRegistry(Ids())
    >>> first = registry.push("gcr.io", "acme/web", "v2")
    >>> registry.digest("gcr.io", "acme/web", "v2") == first.digest
    True

    ```
    """

    def __init__(self, ids: Ids) -> None:
        self._ids = ids
        self._tags: dict[tuple[str, str, str], Image] = {}

    def push(self, registry: str, repository: str, tag: str) -> Image:
        """Push ``registry/repository:tag``; its digest is derived deterministically."""
        image = Image(
            registry=registry, repository=repository, tag=tag, digest=self._ids.sha256(registry, repository, tag)
        )
        self._tags[(registry, repository, tag)] = image
        return image

    def digest(self, registry: str, repository: str, tag: str) -> str | None:
        """The digest the tag points at now, or None."""
        image = self._tags.get((registry, repository, tag))
        return None if image is None else image.digest

"""clouddriver's part of a deploy: fetching a manifest artifact from the stores, binding Docker images into it,
and the artifacts a deploy creates.

Sources: ``clouddriver-artifacts/.../github/GitHubArtifactCredentials.java:73-105`` (fetch ``?ref=<version or
master>``: a branch resolves to its tip at fetch time), ``gitlab/GitlabArtifactCredentials.java:58-66``,
``config/SimpleHttpArtifactCredentials.java:34-43`` (bitbucket: version ignored), ``gitRepo/
GitRepoArtifactCredentials.java:59-150``; ``clouddriver-kubernetes/.../artifact/Replacer.java:135-198`` (image
substitution), ``op/manifest/KubernetesDeployManifestOperation.java:246-303`` (candidates, required binding),
``artifact/ArtifactConverter.java:30-43`` (created artifacts). Manifests are read as text: the simulator has
no YAML parser (runtime dependencies stay attrs, cattrs, requests, typing-extensions), so ``kind``,
``metadata.name``, ``metadata.namespace`` and ``image:`` are read line by line.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote

import attrs

from spinpromote.sim.stores import GitHost

__all__ = [
    "ArtifactAccounts",
    "FetchError",
    "Fetched",
    "bind_images",
    "check_account",
    "created_artifacts",
    "fetch",
    "manifest_namespace",
]

Json = dict[str, Any]


class FetchError(Exception):
    """The artifact cannot be fetched; the message says why."""


@attrs.frozen(kw_only=True)
class Fetched:
    """A fetched manifest: its text and the commit it was read at (None when it is not from git).

    ```pycon
    >>> Fetched(text="kind: Service", commit=None).text
    'kind: Service'

    ```
    """

    text: str
    commit: str | None


_GITHUB = re.compile(r"^https?://[^/]+/(?:api/v3/)?repos/(?P<repo>[^/]+/[^/]+)/contents/(?P<path>.+)$")
_GITLAB = re.compile(r"^https?://[^/]+/api/v4/projects/(?P<repo>[^/]+)/repository/files/(?P<path>[^/]+)/raw$")
_BITBUCKET = re.compile(
    r"^https?://[^/]+/(?:rest/api/1\.0/)?(?:projects|repositories)/(?P<repo>[^/]+/[^/]+)/(?:raw|src/[^/]+)/(?P<path>.+?)(?:\?.*)?$"
)


def _read(git: GitHost, repo: str, ref: str, path: str, artifact: Json) -> Fetched:
    sha = git.resolve(repo, ref)
    if sha is None:
        raise FetchError(f"{repo} has no branch, tag or commit {ref!r} (fetching {artifact.get('type')} {path})")
    text = git.read(repo, sha, path)
    if text is None:
        raise FetchError(f"{repo} has no file {path} at {ref} (fetching {artifact.get('type')})")
    return Fetched(text=text, commit=sha)


ArtifactAccounts = Mapping[str, frozenset[str]]  # account name -> the artifact types it handles

_BASE64 = ("embedded/base64", "remote/base64")


def check_account(artifact: Json, accounts: ArtifactAccounts) -> None:
    """Find the artifact account as clouddriver does before a fetch, or raise `FetchError` with its message.

    ``ArtifactCredentialsRepository.getCredentialsForType``: the name must be given, and an account with that
    name must handle the type. Base64 artifacts are read in place: clouddriver always has an account for them
    (``embedded-artifact``, inferred from its default configuration), so they are not checked.

    ```pycon
    >>> accounts = {"github": frozenset({"github/file"})}
    >>> check_account({"type": "github/file", "artifactAccount": "github-artfacts"}, accounts)
    Traceback (most recent call last):
    ...
    spinpromote.sim.clouddriver.FetchError: Credentials 'github-artfacts' supporting artifact type 'github/file' ...

    ```
    """
    kind = str(artifact.get("type") or "")
    if kind in _BASE64:
        return
    name = artifact.get("artifactAccount")
    if not name:
        raise FetchError(f"An artifact account must be supplied to download this artifact: {name}")
    if kind not in accounts.get(str(name), frozenset()):
        raise FetchError(f"Credentials '{name}' supporting artifact type '{kind}' cannot be found")


def fetch(artifact: Json, git: GitHost) -> Fetched:
    """Fetch an artifact's text as clouddriver's ``PUT /artifacts/fetch`` would, from the simulated stores.

    ```pycon
    >>> from spinpromote.sim.clock import Ids
    >>> git = GitHost(Ids())
    >>> sha = git.commit("acme/demo", branch="main", files={"app.yml": "kind: Deployment"})
    >>> fetched = fetch({"type": "github/file", "version": "main",
    ...                  "reference": "https://api.github.com/repos/acme/demo/contents/app.yml"}, git)
    >>> fetched.commit == sha
    True

    ```
    """
    kind = artifact.get("type") or ""
    reference = artifact.get("reference") or ""
    version = artifact.get("version") or "master"  # ?ref=<version or master> (GitHubArtifactCredentials.java:73-81)
    if kind in _BASE64:
        try:
            decoded = base64.b64decode(reference, validate=True)
        except (binascii.Error, ValueError) as error:
            raise FetchError(f"{kind} reference is not valid base64: {error}") from None
        return Fetched(text=decoded.decode("utf-8", "replace"), commit=None)
    if kind == "github/file":
        found = _GITHUB.match(reference)
        if found is None:
            raise FetchError(f"github/file reference {reference!r} is not a GitHub contents URL")
        return _read(git, found["repo"], version, found["path"], artifact)
    if kind == "gitlab/file":
        found = _GITLAB.match(reference)
        if found is None:
            raise FetchError(f"gitlab/file reference {reference!r} is not a GitLab raw-file URL")
        return _read(git, unquote(found["repo"]), version, unquote(found["path"]), artifact)
    if kind == "bitbucket/file":
        found = _BITBUCKET.match(reference)  # the URL alone decides; version is ignored (SimpleHttp...:34-43)
        if found is None:
            raise FetchError(f"bitbucket/file reference {reference!r} is not a Bitbucket raw-file URL")
        ref = re.search(r"[?&]at=([^&]+)", reference)
        return _read(git, found["repo"], unquote(ref.group(1)) if ref else "master", found["path"], artifact)
    if kind == "git/repo":
        repo = re.sub(r"^(?:https?://[^/]+/|git@[^:]+:)|\.git$", "", reference)
        path = (artifact.get("metadata") or {}).get("subPath") or artifact.get("location") or ""
        found_sha = git.resolve(repo, version)
        if found_sha is None:
            raise FetchError(f"{repo} has no branch, tag or commit {version!r} (fetching git/repo)")
        files = git.get(found_sha).files
        texts = [
            text
            for name, text in sorted(files.items())
            if not path or name.startswith(path.rstrip("/") + "/") or name == path
        ]
        return Fetched(text="\n---\n".join(texts), commit=found_sha)
    raise FetchError(f"fetching {kind or 'untyped'} artifacts is not simulated")


_IMAGE = re.compile(r"^(?P<lead>\s*-?\s*image:\s*)(?P<quote>[\"']?)(?P<image>[^\s\"']+)(?P=quote)(?P<rest>.*)$")


def _image_name(image: str) -> str:
    # strip @digest, else everything after the last ':' (Replacer.java:135-198)
    if "@" in image:
        return image.split("@", 1)[0]
    return image.rsplit(":", 1)[0] if ":" in image else image


def bind_images(text: str, required: Iterable[Json], optional: Iterable[Json]) -> tuple[str, list[Json]]:
    """Replace each container image whose name equals a visible docker/image artifact's name by its reference.

    Candidates are the required artifacts, then the optional ones, the first per (type, name, location)
    (KubernetesDeployManifestOperation.java:246-265). Returns (new text, artifacts bound).

    ```pycon
    >>> image = {"type": "docker/image", "name": "gcr.io/acme/web", "reference": "gcr.io/acme/web:v2"}
    >>> text, bound = bind_images("      image: gcr.io/acme/web:v1", [], [image])
    >>> text
    '      image: gcr.io/acme/web:v2'

    ```
    """
    candidates: dict[tuple[Any, Any, Any], Json] = {}
    for candidate in [*required, *optional]:
        if candidate.get("type") == "docker/image":
            candidates.setdefault((candidate.get("type"), candidate.get("name"), candidate.get("location")), candidate)
    by_name = {candidate.get("name"): candidate for candidate in reversed(list(candidates.values()))}
    bound: list[Json] = []
    lines: list[str] = []
    for line in text.split("\n"):
        found = _IMAGE.match(line)
        artifact = by_name.get(_image_name(found["image"])) if found else None
        if found is not None and artifact is not None and artifact.get("reference"):
            line = f"{found['lead']}{found['quote']}{artifact['reference']}{found['quote']}{found['rest']}"
            if artifact not in bound:
                bound.append(artifact)
        lines.append(line)
    return "\n".join(lines), bound


def _documents(text: str) -> list[str]:
    return [doc for doc in re.split(r"^---\s*$", text, flags=re.M) if doc.strip()]


def _metadata_field(document: str, field: str) -> str | None:
    inside = False
    for line in document.split("\n"):
        if re.match(r"^metadata:\s*$", line):
            inside = True
            continue
        if inside:
            if line and not line[0].isspace():
                inside = False
                continue
            found = re.match(rf"^\s{{1,4}}{field}:\s*[\"']?([^\s\"'#]+)", line)
            if found:
                return found.group(1)
    return None


def manifest_namespace(text: str) -> str | None:
    """The first document's ``metadata.namespace``, if it says.

    ```pycon
    >>> manifest_namespace("kind: Deployment\\nmetadata:\\n  name: web\\n  namespace: shop\\n")
    'shop'

    ```
    """
    documents = _documents(text)
    return _metadata_field(documents[0], "namespace") if documents else None


def created_artifacts(text: str, *, account: str, namespace: str) -> list[Json]:
    """The ``kubernetes/<kind>`` artifacts a deploy of these manifests creates (ArtifactConverter.java:30-43).

    ```pycon
    >>> [created] = created_artifacts("kind: Deployment\\nmetadata:\\n  name: web\\n", account="prod", namespace="shop")
    >>> created["type"], created["location"], created["metadata"]
    ('kubernetes/deployment', 'shop', {'account': 'prod'})

    ```
    """
    result: list[Json] = []
    for document in _documents(text):
        kind = re.search(r"^kind:\s*[\"']?(\w+)", document, flags=re.M)
        name = _metadata_field(document, "name")
        if kind and name:
            result.append(
                {
                    "type": f"kubernetes/{kind.group(1).lower()}",
                    "name": name,
                    "location": namespace,
                    "version": "",
                    "reference": name,
                    "metadata": {"account": account},
                }
            )
    return result

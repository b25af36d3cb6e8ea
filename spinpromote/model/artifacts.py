"""Artifacts and expected artifacts.

Every artifact kind has kork's full artifact shape (name, version, location, reference, artifactAccount,
metadata, ...) so nothing is lost when parsing, plus a constructor in the user's own words:
``GitHubFile(path="k8s/app.yml", repo="acme/demo", version="main")`` computes the contents-API reference,
``DockerImage(image="gcr.io/p/app", tag="v1")`` computes the full image reference.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote

import attrs

from spinpromote.model._base import SpinnakerObject
from spinpromote.model._frozen import EMPTY, freeze_mapping

__all__ = [
    "Artifact",
    "BitbucketFile",
    "DockerImage",
    "EmbeddedBase64",
    "ExpectedArtifact",
    "GcsObject",
    "GenericArtifact",
    "GitHubFile",
    "GitLabFile",
    "GitRepo",
    "HelmChart",
    "HttpFile",
    "KubernetesObject",
    "S3Object",
]

GITHUB_API = "https://api.github.com"
GITLAB_URL = "https://gitlab.com"
BITBUCKET_API = "https://api.bitbucket.org"


@attrs.frozen(kw_only=True, eq=False, repr=False)
class _ArtifactFields(SpinnakerObject):
    """kork's Artifact: the fields every kind carries on the wire."""

    name: str | None = None
    version: str | None = None
    location: str | None = None
    reference: str | None = None
    artifact_account: str | None = None
    metadata: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    custom_kind: bool | None = None
    provenance: str | None = None
    uuid: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    """Keys the model does not know, kept (read-only) so that parsing is lossless."""

    TYPE: ClassVar[str]

    @property
    def type(self) -> str | None:
        """The artifact type Spinnaker matches on, such as ``docker/image``."""
        return self.TYPE


@attrs.frozen(kw_only=True, eq=False, repr=False)
class _RepositoryFile(_ArtifactFields):
    """A file in a source repository; its path is the artifact's name."""

    @property
    def path(self) -> str | None:
        """The file's path in the repository (the artifact's name)."""
        return self.name


@attrs.frozen(kw_only=True, init=False, eq=False, repr=False)
class GitHubFile(_RepositoryFile):
    """A file in a GitHub repository (``github/file``).

    ```pycon
    >>> GitHubFile(path="k8s/app.yml", repo="acme/demo", version="main").reference
    'https://api.github.com/repos/acme/demo/contents/k8s/app.yml'

    ```
    """

    TYPE: ClassVar[str] = "github/file"

    def __init__(
        self,
        *,
        path: str | None = None,
        repo: str | None = None,
        api_url: str = GITHUB_API,
        name: str | None = None,
        version: str | None = None,
        reference: str | None = None,
        **fields: Any,
    ) -> None:
        name = path if path is not None else name
        if reference is None and repo is not None and name is not None:
            reference = f"{api_url.rstrip('/')}/repos/{repo}/contents/{name}"
        self.__attrs_init__(name=name, version=version, reference=reference, **fields)


@attrs.frozen(kw_only=True, init=False, eq=False, repr=False)
class GitLabFile(_RepositoryFile):
    """A file in a GitLab project (``gitlab/file``), read through GitLab's raw-file API.

    ```pycon
    >>> GitLabFile(path="k8s/app.yml", project="acme/demo", version="main").reference
    'https://gitlab.com/api/v4/projects/acme%2Fdemo/repository/files/k8s%2Fapp.yml/raw'

    ```
    """

    TYPE: ClassVar[str] = "gitlab/file"

    def __init__(
        self,
        *,
        path: str | None = None,
        project: str | None = None,
        base_url: str = GITLAB_URL,
        name: str | None = None,
        reference: str | None = None,
        **fields: Any,
    ) -> None:
        name = path if path is not None else name
        if reference is None and project is not None and name is not None:
            reference = (
                f"{base_url.rstrip('/')}/api/v4/projects/{quote(project, safe='')}"
                f"/repository/files/{quote(name, safe='')}/raw"
            )
        self.__attrs_init__(name=name, reference=reference, **fields)


@attrs.frozen(kw_only=True, init=False, eq=False, repr=False)
class BitbucketFile(_RepositoryFile):
    """A file in a Bitbucket repository (``bitbucket/file``); the commit is part of the reference.

    ```pycon
    >>> BitbucketFile(path="k8s/app.yml", repo="acme/demo", version="main").reference
    'https://api.bitbucket.org/1.0/repositories/acme/demo/raw/main/k8s/app.yml'

    ```
    """

    TYPE: ClassVar[str] = "bitbucket/file"

    def __init__(
        self,
        *,
        path: str | None = None,
        repo: str | None = None,
        api_url: str = BITBUCKET_API,
        name: str | None = None,
        version: str | None = None,
        reference: str | None = None,
        **fields: Any,
    ) -> None:
        name = path if path is not None else name
        if reference is None and repo is not None and name is not None:
            # Spinnaker's bitbucket/file docs: .../1.0/repositories/ORG/REPO/raw/VERSION/PATH
            reference = f"{api_url.rstrip('/')}/1.0/repositories/{repo}/raw/{version or 'master'}/{name}"
        self.__attrs_init__(name=name, version=version, reference=reference, **fields)


@attrs.frozen(kw_only=True, init=False, eq=False, repr=False)
class GitRepo(_ArtifactFields):
    """A whole Git repository (``git/repo``), for example a Helm chart or Kustomize base.

    ```pycon
    >>> GitRepo(url="https://github.com/acme/demo.git", branch="main", sub_path="chart").to_dict()["reference"]
    'https://github.com/acme/demo.git'

    ```
    """

    TYPE: ClassVar[str] = "git/repo"

    def __init__(
        self,
        *,
        url: str | None = None,
        branch: str | None = None,
        sub_path: str | None = None,
        reference: str | None = None,
        version: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> None:
        if sub_path is not None:
            metadata = {**(metadata or {}), "subPath": sub_path}
        self.__attrs_init__(
            reference=url if url is not None else reference,
            version=branch if branch is not None else version,
            metadata=metadata,
            **fields,
        )


@attrs.frozen(kw_only=True, init=False, eq=False, repr=False)
class DockerImage(_ArtifactFields):
    """A container image (``docker/image``); bound into manifests whose image name matches.

    ```pycon
    >>> DockerImage(image="gcr.io/p/app", tag="v1").reference
    'gcr.io/p/app:v1'

    ```
    """

    TYPE: ClassVar[str] = "docker/image"

    def __init__(
        self,
        *,
        image: str | None = None,
        tag: str | None = None,
        digest: str | None = None,
        name: str | None = None,
        version: str | None = None,
        reference: str | None = None,
        **fields: Any,
    ) -> None:
        name = image if image is not None else name
        if tag is not None and digest is not None:
            raise ValueError("give a DockerImage either a tag or a digest, not both")
        version = tag if tag is not None else digest if digest is not None else version
        if reference is None and name is not None:
            if tag is not None:
                reference = f"{name}:{tag}"
            elif digest is not None:
                reference = f"{name}@{digest}"
        self.__attrs_init__(name=name, version=version, reference=reference, **fields)

    @property
    def image(self) -> str | None:
        """The image name without tag or digest."""
        return self.name


@attrs.frozen(kw_only=True, init=False, eq=False, repr=False)
class HelmChart(_ArtifactFields):
    """A chart in a Helm repository (``helm/chart``); ``artifact_account`` names the Helm account.

    ```pycon
    >>> HelmChart(chart="demo", version="1.2.3", artifact_account="helm-repo").to_dict()["name"]
    'demo'

    ```
    """

    TYPE: ClassVar[str] = "helm/chart"

    def __init__(self, *, chart: str | None = None, name: str | None = None, **fields: Any) -> None:
        self.__attrs_init__(name=chart if chart is not None else name, **fields)

    @property
    def chart(self) -> str | None:
        """The chart's name."""
        return self.name


@attrs.frozen(kw_only=True, init=False, eq=False, repr=False)
class EmbeddedBase64(_ArtifactFields):
    """Content carried in the pipeline itself (``embedded/base64``), e.g. a baked manifest.

    ```pycon
    >>> EmbeddedBase64(name="demo", content="kind: Namespace").reference
    'a2luZDogTmFtZXNwYWNl'

    ```
    """

    TYPE: ClassVar[str] = "embedded/base64"

    def __init__(
        self,
        *,
        content: str | bytes | None = None,
        reference: str | None = None,
        artifact_account: str | None = "embedded-artifact",
        **fields: Any,
    ) -> None:
        # Deck writes clouddriver's built-in "embedded-artifact" account on these, so a deploy can read them.
        if content is not None:
            raw = content.encode() if isinstance(content, str) else content
            reference = base64.b64encode(raw).decode("ascii")
        self.__attrs_init__(reference=reference, artifact_account=artifact_account, **fields)


@attrs.frozen(kw_only=True, init=False, eq=False, repr=False)
class HttpFile(_ArtifactFields):
    """A file fetched over HTTP(S) (``http/file``).

    ```pycon
    >>> HttpFile(url="https://example.com/app.yml").reference
    'https://example.com/app.yml'

    ```
    """

    TYPE: ClassVar[str] = "http/file"

    def __init__(self, *, url: str | None = None, reference: str | None = None, **fields: Any) -> None:
        self.__attrs_init__(reference=url if url is not None else reference, **fields)


@attrs.frozen(kw_only=True, init=False, eq=False, repr=False)
class S3Object(_ArtifactFields):
    """An object in Amazon S3 (``s3/object``); ``region`` is stored as its location.

    ```pycon
    >>> S3Object(bucket="b", key="k8s/app.yml").reference
    's3://b/k8s/app.yml'

    ```
    """

    TYPE: ClassVar[str] = "s3/object"

    def __init__(
        self,
        *,
        bucket: str | None = None,
        key: str | None = None,
        region: str | None = None,
        name: str | None = None,
        reference: str | None = None,
        location: str | None = None,
        **fields: Any,
    ) -> None:
        if bucket is not None and key is not None:
            name = reference = f"s3://{bucket}/{key}"
        self.__attrs_init__(
            name=name, reference=reference, location=region if region is not None else location, **fields
        )


@attrs.frozen(kw_only=True, init=False, eq=False, repr=False)
class GcsObject(_ArtifactFields):
    """An object in Google Cloud Storage (``gcs/object``), optionally pinned to a generation.

    ```pycon
    >>> GcsObject(bucket="b", path="app.yml", generation="1234").reference
    'gs://b/app.yml#1234'

    ```
    """

    TYPE: ClassVar[str] = "gcs/object"

    def __init__(
        self,
        *,
        bucket: str | None = None,
        path: str | None = None,
        generation: str | None = None,
        name: str | None = None,
        version: str | None = None,
        reference: str | None = None,
        **fields: Any,
    ) -> None:
        if bucket is not None and path is not None:
            name = f"gs://{bucket}/{path}"
            reference = f"{name}#{generation}" if generation is not None else name
            version = generation
        self.__attrs_init__(name=name, version=version, reference=reference, **fields)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class KubernetesObject(_ArtifactFields):
    """An object that a deploy created (``kubernetes/<kind>``): name, namespace as location.

    ```pycon
    >>> KubernetesObject(kind="configMap", name="settings", location="prod").type
    'kubernetes/configMap'

    ```
    """

    kind: str = "deployment"

    @property
    def type(self) -> str:
        """``kubernetes/`` followed by the object's kind."""
        return f"kubernetes/{self.kind}"


@attrs.frozen(kw_only=True, eq=False, repr=False)
class GenericArtifact(_ArtifactFields):
    """Any other artifact type, kept as it is (``maven/file``, ``custom/object``, a matcher with no type...).

    ```pycon
    >>> GenericArtifact(type="maven/file", name="com.acme:app").to_dict()
    {'type': 'maven/file', 'name': 'com.acme:app'}

    ```
    """

    type: str | None = None


Artifact = (
    GitHubFile
    | GitLabFile
    | BitbucketFile
    | GitRepo
    | DockerImage
    | HelmChart
    | EmbeddedBase64
    | HttpFile
    | S3Object
    | GcsObject
    | KubernetesObject
    | GenericArtifact
)
"""Any artifact kind."""


def _default_use_default(self: ExpectedArtifact) -> bool:
    return self.default is not None


@attrs.frozen(kw_only=True, eq=False, repr=False)
class ExpectedArtifact(SpinnakerObject):
    """An artifact a pipeline or stage expects, matched at run time and then referred to by ``id``.

    ``use_default_artifact`` is on when a ``default`` is given. Leave ``id`` unset in a `PromotionChain`
    or `PipelineBuilder`: it is derived from ``display_name``.

    ```pycon
    >>> ExpectedArtifact(display_name="image", match=DockerImage(image="gcr.io/p/app")).use_default_artifact
    False

    ```
    """

    id: str | None = None
    display_name: str | None = None
    match: Artifact | None = None
    default: Artifact | None = None
    use_default_artifact: bool | None = attrs.field(default=attrs.Factory(_default_use_default, takes_self=True))
    use_prior_artifact: bool | None = False
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)

"""Kubernetes manifest stages: deploy, run a job, bake, delete, scale, undo a rollout."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import attrs

from spinpromote.model._base import SpinnakerObject, to_str_tuple, to_tuple
from spinpromote.model._frozen import EMPTY, freeze, freeze_mapping
from spinpromote.model.artifacts import Artifact
from spinpromote.model.options import Moniker
from spinpromote.model.stage_base import StageFields

__all__ = [
    "BakeManifest",
    "BindArtifact",
    "DeleteManifest",
    "DeleteOptions",
    "DeployManifest",
    "InputArtifact",
    "RunJobManifest",
    "ScaleManifest",
    "TrafficManagement",
    "TrafficOptions",
    "UndoRolloutManifest",
]

KUBERNETES = "kubernetes"


@attrs.frozen(kw_only=True, eq=False, repr=False)
class TrafficOptions(SpinnakerObject):
    """Where traffic goes during a rollout; ``services`` are names such as ``"service my-svc"``.

    ```pycon
    >>> TrafficOptions().to_dict()
    {'enableTraffic': False, 'services': []}

    ```
    """

    enable_traffic: bool | None = False
    namespace: str | None = None
    services: tuple[str, ...] = attrs.field(default=(), converter=to_str_tuple)
    strategy: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class TrafficManagement(SpinnakerObject):
    """Spinnaker-managed rollout of a Deploy (Manifest). The default is Deck's: disabled.

    ```pycon
    >>> TrafficManagement.bluegreen(["service demo"]).to_dict()["options"]["strategy"]
    'bluegreen'

    ```
    """

    enabled: bool | None = False
    options: TrafficOptions | None = TrafficOptions()
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)

    @classmethod
    def _strategy(cls, strategy: str, services: Iterable[str]) -> TrafficManagement:
        # Deck forces enableTraffic on whenever a strategy is chosen.
        options = TrafficOptions(enable_traffic=True, services=tuple(services), strategy=strategy)
        return cls(enabled=True, options=options)

    @classmethod
    def bluegreen(cls, services: Iterable[str]) -> TrafficManagement:
        """Send traffic to the new version, then disable the older ReplicaSets."""
        return cls._strategy("bluegreen", services)

    @classmethod
    def highlander(cls, services: Iterable[str]) -> TrafficManagement:
        """Send traffic to the new version, then disable and delete the older ReplicaSets."""
        return cls._strategy("highlander", services)

    @classmethod
    def none(cls, services: Iterable[str]) -> TrafficManagement:
        """Send traffic to the new version and leave older ReplicaSets alone."""
        return cls._strategy("none", services)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class BindArtifact(SpinnakerObject):
    """An artifact bound into manifests: an expected artifact's id, or an artifact given inline.

    ```pycon
    >>> BindArtifact(expected_artifact_id="ea-image").to_dict()
    {'expectedArtifactId': 'ea-image'}

    ```
    """

    expected_artifact_id: str | None = None
    artifact: Artifact | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


def _to_manifests(values: Iterable[Mapping[str, Any] | str] | None) -> tuple[Any, ...]:
    """Manifests as objects; an item may also be a ``${...}`` expression that resolves to manifests, which orca
    flattens into the list (ResolveDeploySourceManifestTask.java, flattenNestedLists)."""
    if values is None:
        return ()
    if isinstance(values, (str, bytes, Mapping)):
        raise TypeError(f"expected a list of manifests, got {type(values).__name__}: {values!r}")
    return tuple(value if isinstance(value, str) else freeze_mapping(value) for value in values)


def _default_source(self: DeployManifest | RunJobManifest | PatchManifest) -> str:
    return "artifact" if self.manifest_artifact_id or self.manifest_artifact else "text"


@attrs.frozen(kw_only=True, eq=False, repr=False)
class DeployManifest(StageFields):
    """Deploy Kubernetes manifests, from an artifact or given as text (``deployManifest``).

    ``source`` follows from what you give: ``manifest_artifact_id`` means ``"artifact"``, otherwise
    ``"text"``. Give ``moniker`` or let the `PipelineBuilder` set ``moniker.app`` to the application.

    ```pycon
    >>> DeployManifest(account="staging", manifest_artifact_id="ea-1").source
    'artifact'

    ```
    """

    TYPE: ClassVar[str] = "deployManifest"
    account: str | None = None
    cloud_provider: str | None = KUBERNETES
    manifest_artifact_id: str | None = None
    manifest_artifact: Artifact | None = None
    manifest_artifact_account: str | None = None
    manifests: tuple[Any, ...] = attrs.field(default=(), converter=_to_manifests)
    """Manifest objects, or ``${...}`` expressions that resolve to a list of them."""
    source: str | None = attrs.field(default=attrs.Factory(_default_source, takes_self=True))
    namespace_override: str | None = None
    moniker: Moniker | None = None
    skip_expression_evaluation: bool | None = False
    required_artifact_ids: tuple[str, ...] = attrs.field(default=(), converter=to_str_tuple)
    required_artifacts: tuple[BindArtifact, ...] = attrs.field(default=(), converter=to_tuple)
    traffic_management: TrafficManagement | None = TrafficManagement()


@attrs.frozen(kw_only=True, eq=False, repr=False)
class RunJobManifest(StageFields):
    """Run a Kubernetes Job to completion (``runJobManifest``; Deck also writes ``alias: runJob``).

    ```pycon
    >>> RunJobManifest(account="staging", manifest={"kind": "Job"}).to_dict()["alias"]
    'runJob'

    ```
    """

    TYPE: ClassVar[str] = "runJobManifest"
    account: str | None = None
    cloud_provider: str | None = KUBERNETES
    application: str | None = None
    manifest_artifact_id: str | None = None
    manifest_artifact: Artifact | None = None
    manifest: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    source: str | None = attrs.field(default=attrs.Factory(_default_source, takes_self=True))
    required_artifact_ids: tuple[str, ...] = attrs.field(default=(), converter=to_str_tuple)
    skip_expression_evaluation: bool | None = None
    property_file: str | None = None
    consume_artifact_source: str | None = None
    alias: str | None = "runJob"


@attrs.frozen(kw_only=True, eq=False, repr=False)
class InputArtifact(SpinnakerObject):
    """An input of a Bake (Manifest): an expected artifact's id (or an inline artifact) and its account.

    ```pycon
    >>> InputArtifact(id="ea-chart", account="helm").to_dict()
    {'id': 'ea-chart', 'account': 'helm'}

    ```
    """

    id: str | None = None
    account: str | None = None
    artifact: Artifact | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class BakeManifest(StageFields):
    """Render a Helm chart or Kustomize base into one ``embedded/base64`` manifest artifact.

    The first of ``input_artifacts`` is the chart, the others value files. ``expected_artifacts`` must hold
    exactly one ``embedded/base64`` artifact: the baked manifest, which a Deploy (Manifest) then uses.

    ```pycon
    >>> BakeManifest(output_name="demo").template_renderer
    'HELM3'

    ```
    """

    TYPE: ClassVar[str] = "bakeManifest"
    template_renderer: str | None = "HELM3"
    output_name: str | None = None
    namespace: str | None = None
    input_artifacts: tuple[InputArtifact, ...] = attrs.field(default=(), converter=to_tuple)
    input_artifact: InputArtifact | None = None
    overrides: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    raw_overrides: bool | None = None
    evaluate_override_expressions: bool | None = None
    include_crds: bool | None = None
    helm_chart_file_path: str | None = None
    kustomize_file_path: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False)
class _SelectorFields(StageFields):
    """Which existing manifests a stage acts on: by name (static), by cluster (dynamic) or by label."""

    account: str | None = None
    cloud_provider: str | None = KUBERNETES
    location: str | None = None
    app: str | None = None
    mode: str | None = None
    manifest_name: str | None = None
    cluster: str | None = None
    kind: str | None = None
    criteria: str | None = None
    kinds: tuple[str, ...] = attrs.field(default=(), converter=to_str_tuple)
    label_selectors: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class DeleteOptions(SpinnakerObject):
    """How a Delete (Manifest) deletes: cascading (Deck's default) and the grace period.

    ```pycon
    >>> DeleteOptions(grace_period_seconds=30).to_dict()
    {'cascading': True, 'gracePeriodSeconds': 30}

    ```
    """

    cascading: bool | None = True
    grace_period_seconds: int | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class DeleteManifest(_SelectorFields):
    """Delete Kubernetes objects (``deleteManifest``).

    ```pycon
    >>> DeleteManifest(account="prod", location="demo", manifest_name="deployment demo").to_dict()["options"]
    {'cascading': True}

    ```
    """

    TYPE: ClassVar[str] = "deleteManifest"
    options: DeleteOptions | None = DeleteOptions()


@attrs.frozen(kw_only=True, eq=False, repr=False)
class ScaleManifest(_SelectorFields):
    """Scale a workload to ``replicas`` (``scaleManifest``).

    ```pycon
    >>> ScaleManifest(account="prod", location="demo", replicas=3).to_dict()["replicas"]
    3

    ```
    """

    TYPE: ClassVar[str] = "scaleManifest"
    replicas: int | str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False)
class UndoRolloutManifest(_SelectorFields):
    """Roll a workload back ``num_revisions_back`` revisions (``undoRolloutManifest``).

    ```pycon
    >>> UndoRolloutManifest(account="prod", location="demo").num_revisions_back
    1

    ```
    """

    TYPE: ClassVar[str] = "undoRolloutManifest"
    num_revisions_back: int | None = 1


@attrs.frozen(kw_only=True, eq=False, repr=False)
class EnableManifest(_SelectorFields):
    """Send traffic to a workload again: add it back to its Services (``enableManifest``).

    ```pycon
    >>> EnableManifest(account="prod", location="shop", mode="static", manifest_name="replicaSet web-v002").type
    'enableManifest'

    ```
    """

    TYPE: ClassVar[str] = "enableManifest"


@attrs.frozen(kw_only=True, eq=False, repr=False)
class DisableManifest(_SelectorFields):
    """Take a workload out of its Services' traffic, keeping it running (``disableManifest``).

    ```pycon
    >>> DisableManifest(account="prod", location="shop", mode="static", manifest_name="replicaSet web-v001").type
    'disableManifest'

    ```
    """

    TYPE: ClassVar[str] = "disableManifest"


@attrs.frozen(kw_only=True, eq=False, repr=False)
class PatchManifest(_SelectorFields):
    """Patch a live manifest with a strategic, JSON or merge patch (``patchManifest``).

    ``patch_body`` is the patch (text source), or ``manifest_artifact_id`` names an artifact holding it.

    ```pycon
    >>> patch = PatchManifest(account="prod", location="shop", mode="static", manifest_name="deployment web",
    ...                       patch_body={"spec": {"replicas": 4}}, options={"mergeStrategy": "strategic"})
    >>> patch.to_dict()["patchBody"]
    {'spec': {'replicas': 4}}

    ```
    """

    TYPE: ClassVar[str] = "patchManifest"
    patch_body: Any = attrs.field(default=None, converter=freeze)
    manifest_artifact_id: str | None = None
    manifest_artifact: Artifact | None = None
    manifest_artifact_account: str | None = None
    source: str | None = attrs.field(default=attrs.Factory(_default_source, takes_self=True))
    required_artifact_ids: tuple[str, ...] = attrs.field(default=(), converter=to_str_tuple)
    options: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class FindArtifactsFromResource(_SelectorFields):
    """Read the artifacts (images, config maps) a live manifest uses (``findArtifactsFromResource``).

    ```pycon
    >>> FindArtifactsFromResource(account="prod", location="shop", mode="static",
    ...                           manifest_name="deployment web").to_dict()["manifestName"]
    'deployment web'

    ```
    """

    TYPE: ClassVar[str] = "findArtifactsFromResource"

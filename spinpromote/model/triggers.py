"""Triggers: what starts a pipeline.

Every trigger starts enabled, as in Deck. ``expected_artifact_ids`` lists the pipeline's expected artifacts
this trigger must supply (a `PromotionChain` fills it in).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from spinpromote.model._base import SpinnakerObject, to_str_tuple
from spinpromote.model._frozen import EMPTY, freeze_mapping

__all__ = [
    "CronTrigger",
    "DockerTrigger",
    "GenericTrigger",
    "GitTrigger",
    "HelmTrigger",
    "JenkinsTrigger",
    "PipelineTrigger",
    "PubsubTrigger",
    "Trigger",
    "WebhookTrigger",
]


@attrs.frozen(kw_only=True, eq=False, repr=False)
class _TriggerFields(SpinnakerObject):
    TYPE: ClassVar[str]

    enabled: bool | None = True
    expected_artifact_ids: tuple[str, ...] = attrs.field(default=(), converter=to_str_tuple)
    run_as_user: str | None = None
    description: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    """Keys the model does not know, kept (read-only) so that parsing is lossless."""

    @property
    def type(self) -> str | None:
        """The trigger type Spinnaker dispatches on."""
        return self.TYPE


@attrs.frozen(kw_only=True, eq=False, repr=False)
class GitTrigger(_TriggerFields):
    """A push to a Git repository. ``branch`` is a Java regex matching the whole branch name.

    ```pycon
    >>> GitTrigger(source="github", project="acme", slug="demo", branch="main").type
    'git'

    ```
    """

    TYPE: ClassVar[str] = "git"
    source: str | None = None
    project: str | None = None
    slug: str | None = None
    branch: str | None = None
    secret: str | None = None
    events: tuple[str, ...] = attrs.field(default=(), converter=to_str_tuple)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class DockerTrigger(_TriggerFields):
    """A new tag in a Docker registry. ``tag`` is a regex; blank matches any tag except ``latest``.

    ```pycon
    >>> DockerTrigger(account="gcr", repository="acme/app", tag="^v.*").to_dict()["tag"]
    '^v.*'

    ```
    """

    TYPE: ClassVar[str] = "docker"
    account: str | None = None
    registry: str | None = None
    organization: str | None = None
    repository: str | None = None
    tag: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False)
class PipelineTrigger(_TriggerFields):
    """The end of another pipeline's run. ``pipeline`` is that pipeline's id, not its name.

    ```pycon
    >>> PipelineTrigger(application="demo", pipeline="0d5e...").status
    ('successful',)

    ```
    """

    TYPE: ClassVar[str] = "pipeline"
    application: str | None = None
    pipeline: str | None = None
    status: tuple[str, ...] = attrs.field(default=("successful",), converter=to_str_tuple)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class CronTrigger(_TriggerFields):
    """A Quartz cron schedule (6 or 7 fields). front50 assigns ``id`` when it is missing.

    ```pycon
    >>> CronTrigger(cron_expression="0 0 6 ? * MON-FRI").to_dict()
    {'type': 'cron', 'enabled': True, 'cronExpression': '0 0 6 ? * MON-FRI'}

    ```
    """

    TYPE: ClassVar[str] = "cron"
    id: str | None = None
    cron_expression: str | None = None
    parameters: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class WebhookTrigger(_TriggerFields):
    """A POST to Gate's ``/webhooks/webhook/<source>``; ``payload_constraints`` are regexes on payload keys.

    ```pycon
    >>> WebhookTrigger(source="release").to_dict()
    {'type': 'webhook', 'enabled': True, 'source': 'release'}

    ```
    """

    TYPE: ClassVar[str] = "webhook"
    source: str | None = None
    payload_constraints: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class JenkinsTrigger(_TriggerFields):
    """A successful Jenkins build of ``job`` on ``master``.

    ```pycon
    >>> JenkinsTrigger(master="ci", job="app/build").to_dict()
    {'type': 'jenkins', 'enabled': True, 'master': 'ci', 'job': 'app/build'}

    ```
    """

    TYPE: ClassVar[str] = "jenkins"
    master: str | None = None
    job: str | None = None
    property_file: str | None = None
    payload_constraints: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class HelmTrigger(_TriggerFields):
    """A new chart version in a Helm repository account; ``version`` is a semver range.

    ```pycon
    >>> HelmTrigger(account="helm", chart="demo", version="^1.0.0").to_dict()["version"]
    '^1.0.0'

    ```
    """

    TYPE: ClassVar[str] = "helm"
    account: str | None = None
    chart: str | None = None
    version: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False)
class PubsubTrigger(_TriggerFields):
    """A message on a pub/sub subscription (Google, Amazon, ...).

    ```pycon
    >>> PubsubTrigger(pubsub_system="google", subscription_name="gcr").to_dict()["pubsubSystem"]
    'google'

    ```
    """

    TYPE: ClassVar[str] = "pubsub"
    pubsub_system: str | None = None
    subscription_name: str | None = None
    payload_constraints: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    attribute_constraints: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class GenericTrigger(_TriggerFields):
    """Any other trigger type, every key kept in ``extra``; ``type`` may be missing (a trigger never set up).

    ```pycon
    >>> GenericTrigger.from_dict({"type": "artifactory", "artifactorySearchName": "app"}).type
    'artifactory'

    ```
    """

    type: str | None = None


Trigger = (
    GitTrigger
    | DockerTrigger
    | PipelineTrigger
    | CronTrigger
    | WebhookTrigger
    | JenkinsTrigger
    | HelmTrigger
    | PubsubTrigger
    | GenericTrigger
)
"""Any trigger."""

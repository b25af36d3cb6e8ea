"""The events echo receives: a git push, a Docker push, a webhook, a pubsub message, a CI build, a Helm chart.

Send one with `Spinnaker.send`; it returns the executions the event started.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["DockerPush", "Event", "GitPush", "HelmChartPush", "JenkinsBuild", "PubsubMessage", "WebhookEvent"]


def _frozen_map(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return dict(value or {})


@attrs.frozen(kw_only=True)
class GitPush:
    """Commit ``files`` (path -> text, None deletes) to ``branch`` of ``repo``, then send the push to echo.

    ``source`` is ``github``, ``gitlab``, ``bitbucket`` or ``stash``. ``repo`` is ``project/slug``.

    ```pycon
    >>> GitPush(source="github", repo="acme/demo", branch="main", files={"k8s/app.yml": "kind: Deployment"}).project
    'acme'

    ```
    """

    source: str = "github"
    repo: str
    branch: str = "main"
    files: Mapping[str, str | None] = attrs.field(factory=dict, converter=_frozen_map)
    action: str | None = None

    @property
    def project(self) -> str:
        """The owner part of ``repo``."""
        return self.repo.partition("/")[0]

    @property
    def slug(self) -> str:
        """The repository part of ``repo``."""
        return self.repo.partition("/")[2]


@attrs.frozen(kw_only=True)
class DockerPush:
    """Push ``registry/repository:tag`` (its digest is derived) and send the event echo's docker monitor sends.

    ``account`` is the Docker registry account in clouddriver that saw the push.

    ```pycon
    >>> DockerPush(registry="gcr.io", repository="acme/web", tag="v2", account="gcr").image
    'gcr.io/acme/web:v2'

    ```
    """

    registry: str
    repository: str
    tag: str
    account: str | None = None

    @property
    def image(self) -> str:
        """``registry/repository:tag``."""
        return f"{self.registry}/{self.repository}:{self.tag}"


@attrs.frozen(kw_only=True)
class WebhookEvent:
    """A POST to ``/webhooks/webhook/<source>`` with a JSON ``payload`` (its ``artifacts`` become the trigger's).

    ```pycon
    >>> WebhookEvent(source="ci", payload={"status": "green"}).payload["status"]
    'green'

    ```
    """

    source: str
    payload: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_map)


@attrs.frozen(kw_only=True)
class PubsubMessage:
    """A message on a pubsub subscription, with attributes and artifacts.

    ```pycon
    >>> PubsubMessage(pubsub_system="google", subscription_name="builds").subscription_name
    'builds'

    ```
    """

    pubsub_system: str
    subscription_name: str
    payload: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_map)
    attributes: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_map)
    artifacts: tuple[Mapping[str, Any], ...] = attrs.field(default=(), converter=tuple)


@attrs.frozen(kw_only=True)
class JenkinsBuild:
    """A finished Jenkins build of ``job`` on ``master``; ``result`` is Jenkins' (``SUCCESS`` fires triggers).

    ```pycon
    >>> JenkinsBuild(master="ci", job="app/build", number=42).result
    'SUCCESS'

    ```
    """

    master: str
    job: str
    number: int = 1
    result: str = "SUCCESS"
    properties: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_map)
    artifacts: tuple[Mapping[str, Any], ...] = attrs.field(default=(), converter=tuple)


@attrs.frozen(kw_only=True)
class HelmChartPush:
    """A new ``chart`` ``version`` seen in the Helm repository account ``account``.

    ```pycon
    >>> HelmChartPush(account="charts", chart="web", version="1.2.0").version
    '1.2.0'

    ```
    """

    account: str
    chart: str
    version: str


Event = GitPush | DockerPush | WebhookEvent | PubsubMessage | JenkinsBuild | HelmChartPush

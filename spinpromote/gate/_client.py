"""`GateClient`: read, plan, apply, run and judge pipelines through Spinnaker's Gate."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable
from urllib.parse import quote

import requests

from spinpromote.errors import GateError, GateResponseError, PipelineFormatError, WaitDeadlineExceeded
from spinpromote.gate._apply import ApplyEvent, ApplyResult, apply_plan, save_confirmed
from spinpromote.gate._auth import GateAuth
from spinpromote.gate._executions import Execution
from spinpromote.gate._retry import RetryPolicy
from spinpromote.gate._transport import Retry, Timeout, Transport, json_body, json_kind, response_error
from spinpromote.ids import pipeline_id
from spinpromote.planning import DEFAULT_OWNER, SERVER_OWNED_KEYS, Plan, make_plan, name_key

if TYPE_CHECKING:
    from spinpromote.chain import PromotionChain
    from spinpromote.environments import EnvironmentStatus
    from spinpromote.model import Pipeline

__all__ = ["Desired", "GateClient"]


@runtime_checkable
class _HasPipelines(Protocol):
    def pipelines(self) -> Iterable[Any]: ...


@runtime_checkable
class _HasToDict(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


Desired = _HasPipelines | _HasToDict | Mapping[str, Any] | Iterable[_HasToDict | Mapping[str, Any]]
"""What `GateClient.plan` accepts: a PromotionChain, a Pipeline, a pipeline dict, or a list of pipelines."""


DEFAULT_TIMEOUT = Timeout()
DEFAULT_RETRY = RetryPolicy()


def _document(item: Any) -> dict[str, Any]:
    if isinstance(item, _HasToDict):
        return item.to_dict()
    if isinstance(item, Mapping):
        return dict(item)
    raise TypeError(f"expected a Pipeline or a pipeline dict, got {type(item).__name__}")


def desired_documents(desired: Desired) -> list[dict[str, Any]]:
    """The JSON documents of whatever was passed to `GateClient.plan`, in order (upstream first)."""
    if isinstance(desired, _HasPipelines):
        return [_document(item) for item in desired.pipelines()]
    if isinstance(desired, (_HasToDict, Mapping)):
        return [_document(desired)]
    return [_document(item) for item in desired]


def _path(*segments: str) -> str:
    # Names go into paths percent-encoded; Gate's firewall may still refuse encoded "/" and "%".
    return "/" + "/".join(quote(segment, safe="") for segment in segments)


class GateClient:
    """A client for Spinnaker's Gate API, on one `requests.Session`.

    **Parameters** (all but ``base_url`` keyword-only):

    - ``base_url``: Gate's address, such as ``https://gate.example.com`` (no credentials in it).
    - ``auth``: `BasicAuth`, `BearerToken`, `X509ClientCert`, `SessionCookie`, `LdapLogin`, or None.
    - ``headers``: extra headers on every request (for IAP or a proxy); their values are treated as secrets.
    - ``timeout``: a `Timeout`, seconds for both, or ``(connect, read)``; default 5 s connect, 60 s read.
    - ``verify``: TLS verification, on by default; a path to a CA bundle also works.
    - ``session``: a `requests.Session` to use (the caller then owns it; ``close()`` leaves it open).
    - ``retry``: a `RetryPolicy`; transient failures are retried with backoff and jitter.

    Redirects are never followed: a redirect to a login page, a 401, a 403 or an HTML answer raises
    `GateAuthError` with a hint. Every request carries an ``X-SPINNAKER-REQUEST-ID`` that is also logged
    (logger ``spinpromote.gate``). Safe to share between threads.

    Against a `spinpromote.testing.FakeGate` (give your Gate's URL and credentials instead):

    ```pycon
    >>> from spinpromote.testing import FakeGate
    >>> release = Pipeline(application="demo", name="Release", stages=[ManualJudgment(name="Approve")])
    >>> with FakeGate(users={"alice": "pw"}) as fake, GateClient(fake.url, auth=BasicAuth("alice", "pw")) as gate:
    ...     plan = gate.plan([release])
    ...     print(plan.summary())
    ...     print(gate.apply(plan).written[0].name, [p.name for p in gate.list_pipelines("demo")])
    ...     run_id = gate.trigger("demo", "Release")
    ...     waiting = gate.wait_for_execution(run_id, timeout=10, poll_interval=0.01, stop_at_judgment=True)
    ...     print(waiting.pending_judgment.name)
    ...     _ = gate.judge(run_id, "continue")
    ...     print(gate.wait_for_execution(run_id, timeout=10, poll_interval=0.01).status)
    Plan: 1 to create, 0 to update, 0 to delete, 0 unchanged.
    Release ['Release']
    Approve
    SUCCEEDED

    ```
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: GateAuth | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: Timeout | float | tuple[float, float] = DEFAULT_TIMEOUT,
        verify: bool | str = True,
        session: requests.Session | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        self._owns_session = session is None
        self._transport = Transport(
            base_url,
            session=session if session is not None else requests.Session(),
            auth=auth,
            headers=headers or {},
            timeout=Timeout.of(timeout),
            verify=verify,
            retry=retry,
        )

    def __repr__(self) -> str:
        auth = self._transport.auth
        return f"GateClient({self.base_url!r}, auth={type(auth).__name__ + '(...)' if auth else None})"

    @property
    def base_url(self) -> str:
        """Gate's address."""
        return self._transport.base_url

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy in use."""
        return self._transport.retry

    def __enter__(self) -> GateClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the session's connections, unless the session was passed in."""
        if self._owns_session:
            self._transport.session.close()

    # -- pipeline configs ----------------------------------------------------------------------------------

    def list_pipeline_configs(self, application: str, *, name_filter: str | None = None) -> list[dict[str, Any]]:
        """The application's pipeline configs as Gate returns them (JSON dicts, server fields included).

        ``name_filter`` narrows the list on Gate 1.36+ (a case-insensitive substring); older Gates ignore it.
        """
        action = f"listing pipelines of {application!r}"
        response = self._transport.request(
            "GET",
            _path("applications", application, "pipelineConfigs"),
            params={"pipelineNameFilter": name_filter} if name_filter else None,
            action=action,
        )
        body = json_body(response, action) if response.content else []
        if not isinstance(body, list):
            raise response_error(response, action, f"JSON: {json_kind(body)} where a list of pipelines belongs")
        for index, item in enumerate(body):
            problem = _not_a_pipeline(item)
            if problem:
                raise response_error(response, action, f"{problem} at $[{index}]")
        return body

    def list_pipelines(self, application: str) -> list[Pipeline]:
        """The application's pipelines, parsed into the typed model."""
        return [
            _parse_pipeline(document, f"listing pipelines of {application!r}", f"$[{index}]")
            for index, document in enumerate(self.list_pipeline_configs(application))
        ]

    def find_pipeline_config(self, application: str, name: str) -> dict[str, Any] | None:
        """The live config named ``name`` (trimmed, ignoring case, as front50 compares), or None.

        Looks up by listing, which works on every Gate version and for any name.
        """
        wanted = name_key(application, name)
        for document in self.list_pipeline_configs(application, name_filter=name.strip()):
            if name_key(application, str(document.get("name", ""))) == wanted:
                return document
        return None

    def get_pipeline(self, application: str, name: str) -> Pipeline | None:
        """The pipeline with exactly this name (``GET .../pipelineConfigs/{name}``), or None if there is none.

        Gate up to 2025.2 matches the name exactly, including case.
        """
        action = f"reading pipeline {name!r} of {application!r}"
        response = self._transport.request(
            "GET",
            _path("applications", application, "pipelineConfigs", name),
            action=action,
            ok_statuses=frozenset({404}),
        )
        if response.status_code == 404 or not response.content:
            return None  # Gate up to 1.20 answers 200 with an empty body
        body = json_body(response, action)
        problem = _not_a_pipeline(body)
        if problem:
            raise response_error(response, action, problem)
        return _parse_pipeline(body, action, "$")

    def post_pipeline(self, document: Mapping[str, Any], *, stale_check: bool = False) -> None:
        """Send one save (``POST /pipelines``) and nothing more: no lookup, no confirmation.

        Most callers want `save_pipeline` or `apply`, which make saves safe to repeat.
        """
        self._transport.request(
            "POST",
            "/pipelines",
            params={"staleCheck": "true"} if stale_check else None,
            json_body=document,
            retry=Retry.UNSENT_ONLY,
            action=f"saving pipeline {document.get('name')!r}",
        )

    def save_pipeline(self, pipeline: _HasToDict | Mapping[str, Any], *, stale_check: bool = False) -> str:
        """Create or overwrite one pipeline; return its id.

        A pipeline without an id takes the live id of the pipeline with its name, or a stable new id, so
        the save can be repeated safely. With ``stale_check`` the pipeline's ``updateTs`` (as read from
        Gate) must still be current, otherwise `GateStaleError` is raised and nothing is written.
        Unlike `apply`, this does not mark the pipeline as owned by spinpromote.
        """
        document = _document(pipeline)
        fingerprint = document.get("updateTs") if stale_check else None
        body = {key: value for key, value in document.items() if key not in SERVER_OWNED_KEYS}
        if isinstance(body.get("name"), str):
            body["name"] = body["name"].strip()
        if not body.get("id"):
            live = self.find_pipeline_config(str(body.get("application", "")), str(body.get("name", "")))
            body["id"] = live["id"] if live else pipeline_id(str(body["application"]), str(body["name"]))
        save_confirmed(self, body, fingerprint=None if fingerprint is None else str(fingerprint))
        return str(body["id"])

    def delete_pipeline(self, application: str, name: str) -> None:
        """Delete the pipeline config with this name (Gate matches it trimmed and ignoring case).

        Gate answers 200 when no pipeline has the name, so deleting twice is harmless.
        """
        self._transport.request(
            "DELETE",
            _path("pipelines", application, name.strip()),
            action=f"deleting pipeline {name!r} of {application!r}",
        )

    def get_application(self, application: str) -> dict[str, Any] | None:
        """The application's attributes, or None when Spinnaker does not know it."""
        action = f"reading application {application!r}"
        response = self._transport.request(
            "GET",
            _path("applications", application),
            params={"expand": "false"},
            action=action,
            ok_statuses=frozenset({404}),
        )
        if response.status_code == 404 or not response.content:
            return None
        body = json_body(response, action)
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            raise response_error(response, action, f"JSON: {json_kind(body)}, not an application object")
        return body

    # -- plan and apply ------------------------------------------------------------------------------------

    def plan(self, desired: Desired, *, prune: bool = False, owner: str = DEFAULT_OWNER) -> Plan:
        """Compare the desired pipelines with what is live; nothing is written.

        Reads each application's pipelines once. Live pipelines are matched by name (trimmed, ignoring
        case) and their ids adopted, with every reference to them rewritten. With ``prune``, pipelines this
        ``owner`` wrote earlier that are no longer desired are planned for deletion; nothing else ever is.
        Use a distinct ``owner`` per repository when several manage pipelines in one application.
        """
        documents = desired_documents(desired)
        applications: dict[str, str] = {}
        for document in documents:
            if isinstance(document.get("application"), str):
                applications.setdefault(document["application"].strip().lower(), document["application"].strip())
        live = {app: self.list_pipeline_configs(app) for app in applications.values()}
        missing = [
            app for app, documents_of_app in live.items() if not documents_of_app and self.get_application(app) is None
        ]
        return make_plan(documents, live, owner=owner, prune=prune, missing_applications=missing)

    def apply(
        self,
        plan: Plan,
        *,
        concurrency: int = 4,
        stale_check: bool = True,
        on_progress: Callable[[ApplyEvent], None] | None = None,
    ) -> ApplyResult:
        """Write what the plan says: upstream pipelines first, up to ``concurrency`` saves at a time.

        Unchanged pipelines are not written. Updates use front50's staleCheck, so a pipeline edited in the
        UI after the plan is reported, not overwritten. Every write is confirmed by reading it back.
        ``on_progress`` receives an `ApplyEvent` for each pipeline started and finished.
        Raises `ApplyError` (with the `ApplyResult`) when anything failed; applying again converges.
        """
        return apply_plan(self, plan, concurrency=concurrency, stale_check=stale_check, on_progress=on_progress)

    # -- executions ----------------------------------------------------------------------------------------

    def trigger(
        self,
        application: str,
        pipeline: str,
        *,
        parameters: Mapping[str, Any] | None = None,
        artifacts: Iterable[_HasToDict | Mapping[str, Any]] = (),
        trigger: Mapping[str, Any] | None = None,
    ) -> str:
        """Start a pipeline (by name or id) with a manual trigger; return the execution id.

        Starting is not idempotent, so only failures where Gate surely did nothing are retried; after a
        timeout the pipeline may have started (see `GateTimeout`).
        """
        body: dict[str, Any] = {"type": "manual", **(trigger or {})}
        if parameters:
            body["parameters"] = dict(parameters)
        artifact_list = [_document(artifact) for artifact in artifacts]
        if artifact_list:
            body["artifacts"] = artifact_list
        action = f"starting pipeline {pipeline!r} of {application!r}"
        response = self._transport.request(
            "POST",
            _path("pipelines", application, pipeline),
            json_body=body,
            retry=Retry.UNSENT_ONLY,
            action=action,
        )
        answer = json_body(response, action) if response.content else {}
        ref = answer.get("ref") if isinstance(answer, dict) else None
        if not isinstance(ref, str) or not ref.strip("/"):
            # The pipeline may have started: say so, since starting it again would run it twice.
            raise response_error(
                response, action, "no execution reference (a JSON object with a 'ref'); it may have started anyway"
            )
        return ref.rstrip("/").rsplit("/", 1)[-1]

    def environments(self, chain: PromotionChain, *, limit: int = 10) -> list[EnvironmentStatus]:
        """Where each version is: per environment and target, what the chain's pipelines deployed last, when,
        by which execution, and what waits for a judgment (their last ``limit`` executions each, through
        ``GET /executions?pipelineConfigIds=``; live pipelines are found by name)."""
        from spinpromote.environments import environments

        live = {config.get("name"): config.get("id") for config in self.list_pipeline_configs(chain.application)}
        ids = [str(live.get(pipeline.name) or pipeline.id) for pipeline in chain.pipelines()]
        action = f"reading the executions of {chain.application!r}"
        response = self._transport.request(
            "GET", "/executions", params={"pipelineConfigIds": ",".join(ids), "limit": str(limit)}, action=action
        )
        body = json_body(response, action) if response.content else []
        if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
            raise response_error(response, action, f"JSON: {json_kind(body)} where a list of executions belongs")
        return environments(chain, body)

    def get_execution(self, execution_id: str) -> Execution | None:
        """The execution, or None while Gate does not know it (yet): 404 or an empty answer."""
        action = f"reading execution {execution_id}"
        response = self._transport.request(
            "GET", _path("pipelines", execution_id), action=action, ok_statuses=frozenset({404})
        )
        if response.status_code == 404 or not response.content:
            return None
        return _parse_execution(response, action)

    def wait_for_execution(
        self,
        execution_id: str,
        *,
        timeout: float = 1800.0,
        poll_interval: float = 2.0,
        on_progress: Callable[[Execution], None] | None = None,
        stop_at_judgment: bool = False,
    ) -> Execution:
        """Poll until the execution completes (or, with ``stop_at_judgment``, waits for a judgment).

        ``on_progress`` receives the execution whenever its status or a stage's status changes.
        Raises `WaitDeadlineExceeded` (with the last execution seen) after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        last_seen: tuple[str, ...] | None = None
        execution: Execution | None = None
        while True:
            execution = self.get_execution(execution_id) or execution
            if execution is not None:
                if on_progress is not None and execution.progress_key() != last_seen:
                    on_progress(execution)
                last_seen = execution.progress_key()
                if execution.is_complete or (stop_at_judgment and execution.pending_judgment is not None):
                    return execution
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                state = str(execution) if execution else "Gate never showed it"
                raise WaitDeadlineExceeded(
                    f"execution {execution_id} did not finish within {timeout:g} s ({state})",
                    execution_id=execution_id,
                    execution=execution,
                )
            time.sleep(min(poll_interval, remaining))

    def judge(
        self,
        execution_id: str,
        decision: Literal["continue", "stop"],
        *,
        judgment_input: str | None = None,
        stage_id: str | None = None,
    ) -> Execution | None:
        """Answer a Manual Judgment: ``decision`` is ``"continue"`` or ``"stop"`` (there is no default).

        ``judgment_input`` picks one of the judgment's input options.

        Without ``stage_id`` the judgment that is waiting is answered (`GateError` if none is).
        Returns the updated execution.
        """
        if decision not in ("continue", "stop"):
            raise ValueError(f"decision must be 'continue' or 'stop', got {decision!r}")
        if stage_id is None:
            execution = self.get_execution(execution_id)
            stage = execution.pending_judgment if execution else None
            if stage is None:
                raise GateError(f"execution {execution_id} has no Manual Judgment waiting for an answer")
            stage_id = stage.id
        body: dict[str, Any] = {"judgmentStatus": decision}
        if judgment_input is not None:
            body["judgmentInput"] = judgment_input
        action = f"answering the judgment of execution {execution_id}"
        response = self._transport.request(
            "PATCH", _path("pipelines", execution_id, "stages", stage_id), json_body=body, action=action
        )
        if response.content:
            return _parse_execution(response, action)
        return self.get_execution(execution_id)


def _not_a_pipeline(value: Any) -> str | None:
    """What is wrong with a value Gate gave as a pipeline config, or None when it can be one."""
    if not isinstance(value, dict):
        return f"JSON: {json_kind(value)} where a pipeline object belongs"
    for key in ("name", "id", "application"):
        if key in value and not isinstance(value[key], str):
            return f"a pipeline whose {key} is {json_kind(value[key])}, not a string"
    if not isinstance(value.get("name"), str):
        return "a pipeline object without a name"
    return None


def _parse_pipeline(document: dict[str, Any], action: str, path: str) -> Pipeline:
    from spinpromote.model import Pipeline

    try:
        return Pipeline.from_dict(document)
    except PipelineFormatError as error:
        where = path + error.path[1:]
        message = f"{action}: Gate's pipeline does not fit the model: {error.message} @ {where}"
        raise GateResponseError(message) from None


def _parse_execution(response: requests.Response, action: str) -> Execution:
    body = json_body(response, action)
    try:
        return Execution.from_dict(body)
    except ValueError as error:  # what Execution.from_dict says about a wrong shape
        problem = str(error)
    raise response_error(response, action, problem)

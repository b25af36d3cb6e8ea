"""`GateClient`: read, plan, apply, run and judge pipelines through Spinnaker's Gate."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable
from urllib.parse import quote

import attrs
import requests

from spinpromote.errors import (
    GateError,
    GateResponseError,
    PipelineFormatError,
    ValidationError,
    WaitDeadlineExceeded,
)
from spinpromote.gate._apply import ApplyEvent, ApplyResult, apply_plan, save_confirmed
from spinpromote.gate._artifacts import expected_artifact_ids as expected_artifact_ids_of
from spinpromote.gate._auth import GateAuth
from spinpromote.gate._executions import Execution
from spinpromote.gate._guard import stale_error
from spinpromote.gate._retry import Budget, RetryPolicy
from spinpromote.gate._tasks import run_application_task
from spinpromote.gate._transport import Retry, Timeout, Transport, json_body, json_kind, response_error
from spinpromote.ids import pipeline_id
from spinpromote.planning import (
    DEFAULT_OWNER,
    SERVER_OWNED_KEYS,
    ApplicationChange,
    Plan,
    make_plan,
    name_key,
    same_application,
)
from spinpromote.validate import Problem

if TYPE_CHECKING:
    from spinpromote.chain import PromotionChain
    from spinpromote.environments import EnvironmentStatus
    from spinpromote.model import Pipeline
    from spinpromote.model.application import Application

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


def _problems(desired: Desired) -> list[Problem]:
    """Every validation problem of what was passed to `GateClient.plan`, each naming its pipeline."""
    from spinpromote.model import Pipeline

    validate = getattr(desired, "validate", None)
    if isinstance(desired, _HasPipelines) and callable(validate):
        return list(validate())  # a PromotionChain: its pipelines' problems and the chain's own
    items: list[Any] = [desired] if isinstance(desired, (_HasToDict, Mapping, _HasPipelines)) else list(desired)
    problems: list[Problem] = []
    for item in items:
        pipeline = item
        if isinstance(item, Mapping):
            try:
                pipeline = Pipeline.from_dict(dict(item))
            except PipelineFormatError as error:  # the planner takes any JSON; only the model's checks need it
                name = item.get("name") if isinstance(item.get("name"), str) else None
                problems.append(
                    Problem(
                        path=error.path, message=f"not validated: {error.message}", severity="warning", pipeline=name
                    )
                )
                continue
        check = getattr(pipeline, "validate", None)
        if callable(check):
            name = getattr(pipeline, "name", None)
            problems += [p if p.pipeline is not None else attrs.evolve(p, pipeline=name) for p in check()]
    return problems


def _validation_notes(desired: Desired, allow_invalid: bool) -> list[str]:
    """Warnings for the plan; `ValidationError` on errors unless ``allow_invalid``."""
    problems = _problems(desired)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors and not allow_invalid:
        raise ValidationError(errors)
    return [
        f"{problem} (allowed by allow_invalid, --allow-invalid)" if problem.severity == "error" else str(problem)
        for problem in problems
    ]


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

    def list_pipeline_configs(
        self, application: str, *, name_filter: str | None = None, budget: Budget | None = None
    ) -> list[dict[str, Any]]:
        """The application's pipeline configs as Gate returns them (JSON dicts, server fields included).

        ``name_filter`` narrows the list on Gate 1.36+ (a case-insensitive substring); older Gates ignore it.
        ``budget`` (used by `apply`) shares one retry budget between several requests.
        """
        action = f"listing pipelines of {application!r}"
        response = self._transport.request(
            "GET",
            _path("applications", application, "pipelineConfigs"),
            params={"pipelineNameFilter": name_filter} if name_filter else None,
            action=action,
            budget=budget,
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

    def find_pipeline_config(
        self, application: str, name: str, *, budget: Budget | None = None
    ) -> dict[str, Any] | None:
        """The live config named ``name`` (trimmed, ignoring case, as front50 compares), or None.

        One request: a listing filtered by name, which works on every Gate version and for any name (Gate's
        by-name path is case-sensitive up to 2025.2 and its firewall refuses some characters in paths).
        """
        wanted = name_key(application, name)
        for document in self.list_pipeline_configs(application, name_filter=name.strip(), budget=budget):
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

    def post_pipeline(
        self, document: Mapping[str, Any], *, stale_check: bool = False, budget: Budget | None = None
    ) -> None:
        """Send one save (``POST /pipelines``) and nothing more: no lookup, no confirmation.

        With ``stale_check`` the query says ``staleCheck=true``: front50 compares the document's ``updateTs``
        with the stored one only where its operator enabled the check (off by default). Most callers want
        `save_pipeline` or `apply`, which check for edits themselves and make saves safe to repeat.
        """
        self._transport.request(
            "POST",
            "/pipelines",
            params={"staleCheck": "true"} if stale_check else None,
            json_body=document,
            retry=Retry.UNSENT_ONLY,
            action=f"saving pipeline {document.get('name')!r}",
            budget=budget,
        )

    def save_pipeline(self, pipeline: _HasToDict | Mapping[str, Any], *, stale_check: bool = False) -> str:
        """Create or overwrite one pipeline, confirmed by reading it back; return its id.

        A pipeline without an id takes the live id of the pipeline with its name, or a stable new id, so
        the save can be repeated safely. With ``stale_check`` the pipeline's ``updateTs`` (as read from
        Gate) must still be the live one: the pipeline is re-read just before the save, and `GateStaleError`
        is raised, with nothing written, when someone saved it since. Unlike `apply`, this does not mark the
        pipeline as owned by spinpromote.
        """
        document = _document(pipeline)
        update_ts = document.get("updateTs") if stale_check else None
        if stale_check and update_ts is None:
            raise ValueError("stale_check=True needs the pipeline as read from Gate, with its updateTs")
        body = {key: value for key, value in document.items() if key not in SERVER_OWNED_KEYS}
        if isinstance(body.get("name"), str):
            body["name"] = body["name"].strip()
        application, name = str(body.get("application", "")), str(body.get("name", ""))
        budget = self.retry.budget()
        if not body.get("id") or stale_check:
            live = self.find_pipeline_config(application, name, budget=budget)
            if stale_check and live is not None and str(live.get("updateTs")) != str(update_ts):
                raise stale_error(name, application, live, "was changed in Spinnaker after it was read")
            if not body.get("id"):
                body["id"] = live["id"] if live else pipeline_id(application, name)
        save_confirmed(self, body, update_ts=None if update_ts is None else str(update_ts), budget=budget)
        return str(body["id"])

    def delete_pipeline(self, application: str, name: str, *, budget: Budget | None = None) -> None:
        """Delete the pipeline config with this name (Gate matches it trimmed and ignoring case).

        Gate answers 200 when no pipeline has the name, so deleting twice is harmless.
        """
        self._transport.request(
            "DELETE",
            _path("pipelines", application, name.strip()),
            action=f"deleting pipeline {name!r} of {application!r}",
            budget=budget,
        )

    def get_application(self, application: str, *, budget: Budget | None = None) -> dict[str, Any] | None:
        """The application as Gate shows it (``name``, ``attributes``), or None when Spinnaker does not know it.

        front50 returns the name upper-cased, ``cloudProviders`` comma-joined, and ``permissions`` only when
        the application is restricted (front50 Application.java:39-42, ApplicationsController.java:180-197).
        """
        action = f"reading application {application!r}"
        response = self._transport.request(
            "GET",
            _path("applications", application),
            params={"expand": "false"},
            action=action,
            ok_statuses=frozenset({404}),
            budget=budget,
        )
        if response.status_code == 404 or not response.content:
            return None
        body = json_body(response, action)
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            raise response_error(response, action, f"JSON: {json_kind(body)}, not an application object")
        if not isinstance(body.get("attributes", {}), dict):
            raise response_error(response, action, f"JSON: attributes are {json_kind(body['attributes'])}")
        return body

    def write_application(self, change: ApplicationChange, *, budget: Budget | None = None) -> None:
        """Create or update an application through Gate's task (as Deck does), then confirm it by reading it.

        Used by `apply` for the applications of a plan; raises `GateError` when the task fails.
        """
        budget = budget if budget is not None else self.retry.budget()
        run_application_task(self._transport, change, budget)
        reads = 0
        while True:
            reads += 1
            live = self.get_application(change.name, budget=budget)
            if live is not None and same_application(change.body, live.get("attributes") or {}):
                return
            budget.fail()
            if not budget.can_retry():
                raise GateError(
                    f"application {change.name!r} was written, but Gate does not show the new attributes after "
                    f"{reads} read(s); plan again to check"
                )
            self.retry.sleep(reads, budget=budget)

    # -- plan and apply ------------------------------------------------------------------------------------

    def plan(
        self,
        desired: Desired,
        *,
        prune: bool = False,
        owner: str = DEFAULT_OWNER,
        lock: bool = False,
        applications: Iterable[Application] = (),
        allow_invalid: bool = False,
    ) -> Plan:
        """Validate the desired pipelines, compare them with what is live; nothing is written.

        Validation runs first (the chain's own checks too, when given a `PromotionChain`): any error raises
        `ValidationError`, unless ``allow_invalid``; warnings (and allowed errors) show in the plan.
        Reads each application's pipelines once. Live pipelines are matched by name (trimmed, ignoring
        case) and their ids adopted, with every reference to them rewritten. With ``prune``, pipelines this
        ``owner`` wrote earlier that are no longer desired are planned for deletion (without, they are
        listed as warnings); nothing else ever is. Use a distinct ``owner`` per repository when several
        manage pipelines in one application. ``lock`` writes every pipeline locked in Deck (`LOCK`).
        ``applications`` (and a chain's ``application_spec``) are created or updated with the pipelines.
        """
        if not isinstance(desired, (_HasPipelines, _HasToDict, Mapping)):
            desired = list(desired)  # read twice: validated, then planned
        notes = _validation_notes(desired, allow_invalid)
        documents = desired_documents(desired)
        specs = [*applications]
        spec = getattr(desired, "application_spec", None)
        if spec is not None:
            specs.append(spec)
        wanted = [app.to_dict() for app in specs]
        names: dict[str, str] = {}
        for document in documents:
            if isinstance(document.get("application"), str):
                names.setdefault(document["application"].strip().lower(), document["application"].strip())
        for app in wanted:
            names.setdefault(str(app["name"]).lower(), str(app["name"]))
        live = {app: self.list_pipeline_configs(app) for app in names.values()}
        live_apps: dict[str, dict[str, Any] | None] = {}
        for app in wanted:
            found = self.get_application(str(app["name"]))
            live_apps[str(app["name"]).lower()] = None if found is None else dict(found.get("attributes") or {})
        missing = [
            app
            for app, documents_of_app in live.items()
            if app.lower() not in live_apps and not documents_of_app and self.get_application(app) is None
        ]
        return make_plan(
            documents,
            live,
            owner=owner,
            prune=prune,
            missing_applications=missing,
            lock=lock,
            applications=wanted,
            live_applications=live_apps,
            warnings=notes,
        )

    def apply(
        self,
        plan: Plan,
        *,
        concurrency: int = 4,
        deadline: float | None = None,
        on_progress: Callable[[ApplyEvent], None] | None = None,
    ) -> ApplyResult:
        """Write what the plan says: applications first, then pipelines upstream first, up to ``concurrency``
        at a time, then deletions.

        Unchanged pipelines are not written. Just before each write the pipeline is re-read and compared
        with what the plan read: if it changed (or, for a create, appeared) since, `GateStaleError` is
        reported for it and nothing is overwritten. Every write is confirmed by reading it back, within one
        budget of the retry policy's attempts. ``deadline`` bounds the whole apply in seconds: what has not
        started by then is skipped. ``on_progress`` receives an `ApplyEvent` for each change started and
        finished. Raises `ApplyError` (with the `ApplyResult`) when anything failed; applying again converges.
        """
        return apply_plan(self, plan, concurrency=concurrency, deadline=deadline, on_progress=on_progress)

    # -- executions ----------------------------------------------------------------------------------------

    def trigger(
        self,
        application: str,
        pipeline: str,
        *,
        parameters: Mapping[str, Any] | None = None,
        artifacts: Iterable[_HasToDict | Mapping[str, Any]] = (),
        expected_artifact_ids: Iterable[str] | None = None,
        parent_execution_id: str | None = None,
        trigger: Mapping[str, Any] | None = None,
    ) -> str:
        """Start a pipeline (by name or id) with a manual trigger; return the execution id.

        ``artifacts`` are bound to the pipeline's expected artifacts they match: orca binds an expected
        artifact only when the trigger lists its id (orca ArtifactUtils.java:204-218), so the ids are looked
        up in the pipeline (one more request) unless ``expected_artifact_ids`` gives them.
        ``parent_execution_id`` hands over that execution's artifacts as a pipeline trigger would (orca
        OperationsController.groovy:288-303), as Deck's manual run of a pipeline-triggered pipeline does.
        Starting is not idempotent, so only failures where Gate surely did nothing are retried; after a
        timeout the pipeline may have started (see `GateTimeout`).
        """
        body: dict[str, Any] = {"type": "manual", **(trigger or {})}
        if parameters:
            body["parameters"] = dict(parameters)
        artifact_list = [_document(artifact) for artifact in artifacts]
        if artifact_list:
            body["artifacts"] = artifact_list
            if expected_artifact_ids is None:
                config = self._pipeline_config(application, pipeline)
                expected_artifact_ids = expected_artifact_ids_of(config or {}, artifact_list)
        if expected_artifact_ids is not None:
            listed = list(body.get("expectedArtifactIds") or [])
            body["expectedArtifactIds"] = listed + [i for i in expected_artifact_ids if i not in listed]
        if parent_execution_id is not None:
            body["parentPipelineId"] = parent_execution_id
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

    def _pipeline_config(self, application: str, name_or_id: str) -> dict[str, Any] | None:
        """The config Gate would start for ``name_or_id``: by name first, then by id (PipelineService.groovy:94-116)."""
        found = self.find_pipeline_config(application, name_or_id)
        if found is not None:
            return found
        return next((doc for doc in self.list_pipeline_configs(application) if doc.get("id") == name_or_id), None)

    def executions(
        self,
        application: str,
        pipeline: str | None = None,
        *,
        limit: int = 25,
        statuses: Iterable[str] | None = None,
    ) -> list[Execution]:
        """The application's (or one pipeline's) latest executions, newest first, at most ``limit``.

        ``statuses`` keeps only those (``RUNNING``, ``SUCCEEDED``, ``TERMINAL``, ...). Gate lists without
        stage details (``expand=false``): `get_execution` gives the whole execution. Executions of
        pipelines deleted since are not listed (orca lists by the pipelines that exist,
        TaskController.groovy:609-614), and orca keeps about two weeks of history per pipeline.
        """
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        params = {"limit": str(limit), "expand": "false"}
        if statuses is not None:
            params["statuses"] = ",".join(status.upper() for status in statuses)
        if pipeline is None:
            action = f"listing executions of {application!r}"
            path = _path("applications", application, "pipelines")  # ApplicationController.groovy:117-128
        else:
            action = f"listing executions of pipeline {pipeline!r} of {application!r}"
            config = self._pipeline_config(application, pipeline)
            if config is None:
                raise GateError(f"{action}: application {application!r} has no pipeline {pipeline!r}")
            path = "/executions"  # ExecutionsController.java:40-78
            params["pipelineConfigIds"] = str(config.get("id"))
        response = self._transport.request("GET", path, params=params, action=action)
        body = json_body(response, action) if response.content else []
        if not isinstance(body, list):
            raise response_error(response, action, f"JSON: {json_kind(body)} where a list of executions belongs")
        executions = []
        for index, item in enumerate(body):
            try:
                executions.append(Execution.from_dict(item))
            except ValueError as error:
                raise response_error(response, action, f"{error} (execution $[{index}])") from None
        # orca sorts oldest first and limits per pipeline (TaskController.groovy:726-731): newest first, overall.
        executions.sort(key=lambda execution: execution.start_time or 0, reverse=True)
        return executions[:limit]

    def cancel(self, execution_id: str, *, reason: str | None = None) -> None:
        """Ask Spinnaker to cancel a running execution (``PUT /pipelines/{id}/cancel``).

        Canceling is asynchronous: orca marks the execution and its status becomes CANCELED a moment later
        (CompoundExecutionOperator.java:57-64); `wait_for_execution` sees it. Canceling twice is harmless.
        """
        self._transport.request(
            "PUT",
            _path("pipelines", execution_id, "cancel"),
            params={"reason": reason} if reason else None,
            action=f"canceling execution {execution_id}",
        )

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
        """Answer a Manual Judgment: ``decision`` is ``"continue"`` or ``"stop"`` (required, no default).

        ``judgment_input`` picks one of the judgment's input options. Without ``stage_id`` the judgment that
        is waiting is answered (`GateError` if none is). The answer is applied asynchronously: orca stores
        it in the stage and acts on it when the judgment's task runs next (TaskController.groovy:479-497),
        so the returned execution may still show the stage RUNNING; `wait_for_execution` sees the outcome.
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

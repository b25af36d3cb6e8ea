"""PromotionChain: promote one artifact (set) through environments, with gates in between.

A chain is a list of steps: environments (``deploy``, each an `Environment`) and gates (``judge``, ``wait``,
``verify``, ``run_pipeline``, each a `GateStep`). A layout turns it into Spinnaker pipelines:

- ``"pipelines"`` (default): one pipeline per environment and one per run of gates, each started by a
  pipeline trigger on the one before: the seed's *Deploy to Staging* → *Staging Judgement* →
  *Deploy to Production*.
- ``"single"``: one pipeline with every stage in sequence.
- ``"gated"``: one pipeline per environment, each starting with the gates that guard it.

The layout belongs to the chain (``PromotionChain(..., layout="gated")``): rendering, validation, diagrams,
plans and the CLI all use it.

Artifacts are handed down the chain through pipeline triggers (``handoff="trigger"``): downstream
pipelines declare the same artifacts with no default and no prior fallback and list them on the trigger,
so production deploys exactly what staging ran, or nothing. With ``handoff="find"`` downstream environments
look the artifacts up in the last successful run of the previous environment's pipeline instead, so they
also work when started by hand (an error after a judgment pipeline: the lookup cannot pick the approved run).

Chains are pinned (``pin=True``): every environment after the first deploys the manifests the environment
before it deployed, carried through the stage context, so a change on the manifest's branch in between
never reaches production untested.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any, Literal

import attrs

from spinpromote import model
from spinpromote.builder import PipelineBuilder, with_artifact_id
from spinpromote.ids import pipeline_id
from spinpromote.model._base import Drawable, Validatable
from spinpromote.model.application import Application
from spinpromote.model.stage_base import StageFields
from spinpromote.validate import Problem

__all__ = ["Environment", "GateStep", "Layout", "PromotionChain", "Target"]

Layout = Literal["pipelines", "single", "gated"]
Handoff = Literal["trigger", "find"]
OnFailure = Literal["fail", "rollback"]
LAYOUTS: tuple[Layout, ...] = ("pipelines", "single", "gated")


@attrs.frozen(kw_only=True)
class Target:
    """One place an environment deploys to: a Kubernetes account, optionally a namespace.

    ```pycon
    >>> Target(account="prod-eu", namespace="shop").title
    'prod-eu/shop'

    ```
    """

    account: str
    namespace: str | None = None
    label: str | None = None

    @property
    def title(self) -> str:
        """How the target is named in stage names."""
        if self.label:
            return self.label
        return f"{self.account}/{self.namespace}" if self.namespace else self.account


@attrs.frozen(kw_only=True)
class Environment:
    """An environment step: deploy the artifacts to every target in parallel. Build it with `deploy`.

    ```pycon
    >>> manifest = ExpectedArtifact(display_name="m", match=GitHubFile(path="a.yml", artifact_account="gh"))
    >>> PromotionChain("demo", artifact=manifest).deploy("staging", account="k8s").steps[0].pipeline_name
    'Deploy to Staging'

    ```
    """

    name: str
    targets: tuple[Target, ...]
    pipeline_name: str
    stage_name: str
    moniker: model.Moniker | None = None
    traffic_management: model.TrafficManagement | None = None
    window: model.ExecutionWindow | None = None
    only_if: str | None = None
    before: tuple[model.Stage, ...] = ()
    after: tuple[model.Stage, ...] = ()
    verify: tuple[model.Stage, ...] = ()
    on_failure: OnFailure = "fail"
    workload: str | None = None


@attrs.frozen(kw_only=True)
class GateStep:
    """A gate step: stages that must pass before the next environment. Build it with `judge`, `wait`, ...

    ```pycon
    >>> manifest = ExpectedArtifact(display_name="m", match=GitHubFile(path="a.yml", artifact_account="gh"))
    >>> chain = PromotionChain("demo", artifact=manifest).deploy("staging", account="k8s").judge("Approve")
    >>> chain.steps[-1].stage.type
    'manualJudgment'

    ```
    """

    name: str
    stage: model.Stage


def _to_artifacts(value: Iterable[model.ExpectedArtifact]) -> tuple[model.ExpectedArtifact, ...]:
    return tuple(value)


@attrs.frozen(repr=False)
class PromotionChain(Validatable, Drawable):
    """Promote an artifact through environments. Every method returns a new chain.

    ```pycon
    >>> from spinpromote import ExpectedArtifact, GitHubFile
    >>> manifest = ExpectedArtifact(display_name="manifest", match=GitHubFile(path="app.yml", artifact_account="gh"))
    >>> chain = PromotionChain("demo", artifact=manifest).deploy("staging", account="staging")
    >>> [p.name for p in chain.deploy("production", account="prod").pipelines()]
    ['Deploy to Staging', 'Deploy to Production']

    ```
    """

    application: str
    artifact: model.ExpectedArtifact = attrs.field(kw_only=True)
    required_artifacts: tuple[model.ExpectedArtifact, ...] = attrs.field(
        kw_only=True, default=(), converter=_to_artifacts
    )
    name: str | None = attrs.field(kw_only=True, default=None)
    ids: Mapping[str, str] = attrs.field(kw_only=True, factory=dict)
    handoff: Handoff = attrs.field(kw_only=True, default="trigger")
    layout: Layout = attrs.field(kw_only=True, default="pipelines")
    pin: bool = attrs.field(kw_only=True, default=True)
    triggers: tuple[model.Trigger, ...] = attrs.field(kw_only=True, default=())
    steps: tuple[Environment | GateStep, ...] = attrs.field(kw_only=True, default=())
    #: The application itself, created or updated with the pipelines by `GateClient.plan`/``apply``.
    application_spec: Application | None = attrs.field(kw_only=True, default=None)

    def __attrs_post_init__(self) -> None:
        if self.handoff not in ("trigger", "find"):
            raise ValueError(f"handoff must be 'trigger' or 'find', not {self.handoff!r}")
        _check_layout(self.layout)

    def __repr__(self) -> str:
        steps = " -> ".join(step.name for step in self.steps)
        return f"<PromotionChain of {self.application!r}: {steps or 'no steps'}>"

    def _drawn_pipelines(self) -> list[model.Pipeline]:
        return self.pipelines()

    # -- building -----------------------------------------------------------------------------------

    def trigger(self, trigger: model.Trigger) -> PromotionChain:
        """Start the chain with this trigger (git, docker, ...). It lists the chain's artifacts unless it says."""
        return attrs.evolve(self, triggers=(*self.triggers, trigger))

    def deploy(
        self,
        name: str,
        *,
        account: str | None = None,
        namespace: str | None = None,
        targets: Iterable[Target] | None = None,
        pipeline_name: str | None = None,
        stage_name: str | None = None,
        moniker: model.Moniker | None = None,
        traffic_management: model.TrafficManagement | None = None,
        window: model.ExecutionWindow | None = None,
        only_if: str | None = None,
        before: Iterable[model.Stage] = (),
        after: Iterable[model.Stage] = (),
        verify: model.Stage | Iterable[model.Stage] = (),
        on_failure: OnFailure = "fail",
        workload: str | None = None,
    ) -> PromotionChain:
        """Deploy to an environment: one ``account`` (and ``namespace``), or several ``targets`` in parallel.

        ``window`` allows deploys only in those days and hours. ``only_if`` runs the deploy only when the
        latest judgment's chosen input equals it (the judgment must be in the same pipeline: use the
        ``single`` or ``gated`` layout). ``before`` / ``after`` add stages around the deploy.

        ``verify`` runs checks after the deploy (a `Webhook`, a `RunJobManifest`, a `KayentaCanary`...): when
        one fails the pipeline fails, so nothing downstream runs. ``on_failure="rollback"`` first undoes the
        rollout of ``workload`` (such as ``"deployment web"``) in every target when the deploy or a check
        failed (Undo Rollout (Manifest)), then fails the pipeline.
        """
        verify = (verify,) if isinstance(verify, model.Stage) else tuple(verify)
        if on_failure not in ("fail", "rollback"):
            raise ValueError(f"deploy({name!r}): on_failure must be 'fail' or 'rollback', not {on_failure!r}")
        if on_failure == "rollback" and not workload:
            raise ValueError(f"deploy({name!r}, on_failure='rollback') needs workload=, such as 'deployment web'")
        if any(not stage.name for stage in verify):
            raise ValueError(f"deploy({name!r}): give each verify stage a name: the rollback looks it up by name")
        if targets is None:
            if account is None:
                raise ValueError(f"deploy({name!r}) needs an account or a list of targets")
            targets = (Target(account=account, namespace=namespace),)
        elif account is not None or namespace is not None:
            raise ValueError(f"deploy({name!r}) takes either account/namespace or targets, not both")
        targets = tuple(targets)
        if not targets:
            raise ValueError(f"deploy({name!r}) needs at least one target")
        title = _title(name)
        step = Environment(
            name=name,
            targets=targets,
            pipeline_name=pipeline_name or f"Deploy to {title}",
            stage_name=stage_name or f"Deploy to {title}",
            moniker=moniker,
            traffic_management=traffic_management,
            window=window,
            only_if=only_if,
            before=tuple(before),
            after=tuple(after),
            verify=verify,
            on_failure=on_failure,
            workload=workload,
        )
        if on_failure == "rollback" and any(target.namespace is None for target in targets):
            raise ValueError(f"deploy({name!r}, on_failure='rollback') needs the namespace of every target")
        return attrs.evolve(self, steps=(*self.steps, step))

    def judge(
        self,
        name: str,
        *,
        instructions: str | None = None,
        inputs: Iterable[str] = (),
        notifications: Iterable[model.Notification] = (),
        roles: Iterable[str] | None = None,
        timeout: int | timedelta | None = None,
        propagate_authentication_context: bool | None = None,
    ) -> PromotionChain:
        """A Manual Judgment gate named ``name``; stopping it halts the pipeline."""
        notifications = tuple(notifications)
        stage = model.ManualJudgment(
            name=name,
            instructions=instructions,
            judgment_inputs=tuple(inputs),
            notifications=notifications,
            send_notifications=True if notifications else None,
            roles=tuple(roles) if roles is not None else None,
            stage_timeout_ms=timeout,
            propagate_authentication_context=propagate_authentication_context,
        )
        return self._gate(name, stage)

    def wait(self, duration: int | timedelta, *, name: str | None = None) -> PromotionChain:
        """Wait ``duration`` (seconds, or a timedelta) before the next environment."""
        seconds = int(duration.total_seconds()) if isinstance(duration, timedelta) else duration
        name = name or f"Wait {seconds}s"
        return self._gate(name, model.Wait(name=name, wait_time=seconds))

    def verify(self, stage: model.Stage) -> PromotionChain:
        """An automated gate: any stage that fails when the check fails (webhook, run-job, preconditions...)."""
        if not stage.name:
            raise ValueError("give the check stage a name: it names the gate")
        return self._gate(stage.name, stage)

    def run_pipeline(
        self,
        pipeline_name: str,
        *,
        application: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        name: str | None = None,
    ) -> PromotionChain:
        """A gate that runs another pipeline (integration tests, say) by name and waits for it to succeed."""
        app = application or self.application
        stage = model.RunPipeline(
            name=name or f"Run {pipeline_name}",
            application=app,
            pipeline=self._id_of(pipeline_name, app),
            pipeline_parameters=parameters,
        )
        return self._gate(stage.name or pipeline_name, stage)

    def _gate(self, name: str, stage: model.Stage) -> PromotionChain:
        if not self.steps:
            raise ValueError(f"gate {name!r} guards nothing yet: deploy() to the first environment before it")
        return attrs.evolve(self, steps=(*self.steps, GateStep(name=name, stage=stage)))

    # -- rendering ----------------------------------------------------------------------------------

    def pipelines(self, layout: Layout | None = None) -> list[model.Pipeline]:
        """The pipelines of this chain, upstream first, in the chain's layout unless ``layout`` overrides it."""
        layout = _check_layout(self.layout if layout is None else layout)
        if not any(isinstance(step, Environment) for step in self.steps):
            raise ValueError("the chain deploys nowhere: add deploy() steps")
        return _Renderer(self, layout).pipelines()

    def render(self, layout: Layout | None = None) -> list[dict[str, Any]]:
        """The pipelines as JSON-ready dicts, upstream first (the chain's layout unless ``layout`` overrides it)."""
        return [pipeline.to_dict() for pipeline in self.pipelines(layout)]

    def validate(self, layout: Layout | None = None) -> list[Problem]:
        """Every pipeline's problems plus the chain's own, in the chain's layout unless ``layout`` overrides it."""
        from spinpromote.chain_checks import validate_chain

        layout = _check_layout(self.layout if layout is None else layout)
        return validate_chain(self.pipelines(layout), attrs.evolve(self, layout=layout))

    @property
    def all_artifacts(self) -> tuple[model.ExpectedArtifact, ...]:
        """The manifest artifact and the artifacts bound into it, with ids filled in."""
        return tuple(
            _with_manifest_account(with_artifact_id(ea, self.application), index == 0)
            for index, ea in enumerate((self.artifact, *self.required_artifacts))
        )

    def _id_of(self, pipeline_name: str, application: str | None = None) -> str:
        app = application or self.application
        if app == self.application and pipeline_name in self.ids:
            return self.ids[pipeline_name]
        return pipeline_id(app, pipeline_name)


def _check_layout(layout: Layout) -> Layout:
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    return layout


def _title(name: str) -> str:
    return name[:1].upper() + name[1:]


def _with_manifest_account(ea: model.ExpectedArtifact, is_manifest: bool) -> model.ExpectedArtifact:
    """A manifest's matcher carries the artifact account: downstream pipelines have no default to take it from."""
    if not is_manifest or ea.match is None or ea.match.artifact_account or ea.default is None:
        return ea
    account = ea.default.artifact_account
    if account is None:
        return ea
    match: Any = ea.match
    return attrs.evolve(ea, match=attrs.evolve(match, artifact_account=account))


def _strict(ea: model.ExpectedArtifact) -> model.ExpectedArtifact:
    """The artifact as a downstream pipeline expects it: what flows down the chain, no fallback."""
    return attrs.evolve(ea, default=None, use_default_artifact=False, use_prior_artifact=False)


class _Renderer:
    """Turns a chain into pipelines for one layout."""

    def __init__(self, chain: PromotionChain, layout: Layout) -> None:
        self.chain = chain
        self.layout = layout
        self.artifacts = chain.all_artifacts
        self.manifest_id = self.artifacts[0].id
        self.required_ids = tuple(ea.id for ea in self.artifacts[1:] if ea.id)
        self.pipeline_index = 0
        self.deployed: tuple[int, str, str] | None = None  # (pipeline index, refId, name) of the last deploy

    def groups(self) -> list[tuple[str, list[Environment | GateStep]]]:
        """Steps grouped into pipelines: (pipeline name, steps)."""
        steps = self.chain.steps
        if self.layout == "single":
            first = next(s for s in steps if isinstance(s, Environment))
            return [(self.chain.name or f"Promote {self.artifacts[0].display_name or first.name}", list(steps))]
        groups: list[tuple[str, list[Environment | GateStep]]] = []
        pending: list[Environment | GateStep] = []
        for step in steps:
            if isinstance(step, Environment):
                if self.layout == "pipelines" and pending:
                    groups.append((pending[0].name, pending))
                    pending = []
                groups.append((step.pipeline_name, [*pending, step]))
                pending = []
            else:
                pending.append(step)
        if pending:  # gates after the last environment
            groups.append((pending[0].name, pending))
        return groups

    def pipelines(self) -> list[model.Pipeline]:
        result: list[model.Pipeline] = []
        previous_env_id: str | None = None
        for index, (name, steps) in enumerate(self.groups()):
            self.pipeline_index = index
            builder = PipelineBuilder(self.chain.application, name, id=self.chain._id_of(name))
            deploys = any(isinstance(step, Environment) for step in steps)
            if index == 0:
                self.start(builder)
            else:
                upstream = result[-1].id
                assert upstream is not None
                trigger_ids = None
                if deploys and self.chain.handoff == "trigger":
                    for ea in self.artifacts:
                        builder.expect(_strict(ea))
                    trigger_ids = tuple(ea.id for ea in self.artifacts if ea.id)
                builder.trigger(
                    model.PipelineTrigger(
                        application=self.chain.application, pipeline=upstream, expected_artifact_ids=trigger_ids
                    )
                )
            last: list[StageFields] = []
            if index > 0 and deploys and self.chain.handoff == "find":
                assert previous_env_id is not None
                last = [builder.add(self.find_stage(previous_env_id, result))]
            for step in steps:
                last = self.add_step(builder, step, last)
            pipeline = builder.build()
            if deploys:
                previous_env_id = pipeline.id
            result.append(pipeline)
        return result

    def start(self, builder: PipelineBuilder) -> None:
        ids = tuple(ea.id for ea in self.artifacts if ea.id)
        for ea in self.artifacts:
            builder.expect(ea)
        for trigger in self.chain.triggers:
            if not trigger.expected_artifact_ids and not isinstance(trigger, model.CronTrigger):
                trigger = attrs.evolve(trigger, expected_artifact_ids=ids)
            builder.trigger(trigger)

    def find_stage(self, upstream_id: str, built: Sequence[model.Pipeline]) -> model.FindArtifactFromExecution:
        upstream_name = next(p.name for p in built if p.id == upstream_id)
        return model.FindArtifactFromExecution(
            name=f"Find artifacts from {upstream_name}",
            application=self.chain.application,
            pipeline=upstream_id,
            execution_options=model.ExecutionOptions(successful=True),
            expected_artifacts=[_strict(ea) for ea in self.artifacts],
        )

    def add_step(
        self, builder: PipelineBuilder, step: Environment | GateStep, after: list[StageFields]
    ) -> list[StageFields]:
        if isinstance(step, GateStep):
            return [builder.add(step.stage, depends_on=after)]
        for stage in step.before:
            after = [builder.add(stage, depends_on=after)]
        parents = tuple(stage.ref_id or "" for stage in after)
        deploys = [
            builder.add(self.deploy_stage(step, target, builder.next_ref_id, parents), depends_on=after)
            for target in step.targets
        ]
        after = list(deploys)
        self.deployed = (self.pipeline_index, deploys[0].ref_id or "", deploys[0].name or "")
        if step.verify or step.on_failure == "rollback":
            after = self.add_verification(builder, step, deploys)
        for stage in step.after:
            after = [builder.add(stage, depends_on=after)]
        return after

    def add_verification(
        self, builder: PipelineBuilder, env: Environment, deploys: list[model.DeployManifest]
    ) -> list[StageFields]:
        """The checks after the deploy; with rollback, Undo Rollout when anything failed, then a final check.

        A failed stage that continues the pipeline ends FAILED_CONTINUE, which lets the stages below run and the
        execution still end SUCCEEDED (CompleteExecutionHandler.kt:109-140). So the deploys and checks continue
        on failure, the undo runs only if one of them did not succeed (``stageEnabled``), and an expression
        precondition (ExpressionPreconditionTask) fails the pipeline after it: no ``successful`` pipeline
        trigger fires, so the next environment never starts.
        """
        rollback = env.on_failure == "rollback"
        checks: list[StageFields] = []
        for stage in env.verify:
            if rollback:
                stage = attrs.evolve(stage, failure=model.FailurePolicy.ignore())
            checks.append(builder.add(stage, depends_on=deploys))
        if not rollback:
            return checks or list(deploys)
        watched = [*deploys, *checks]
        succeeded = " and ".join(f"#stage('{s.name}').status.toString() == 'SUCCEEDED'" for s in watched)
        undone = [
            builder.add(
                model.UndoRolloutManifest(
                    name=f"Roll back {deploy.name}",
                    account=target.account,
                    location=target.namespace,
                    mode="static",
                    manifest_name=env.workload,
                    num_revisions_back=1,
                    stage_enabled=f"!({succeeded})",
                    failure=model.FailurePolicy.ignore(),
                ),
                depends_on=checks or deploys,
            )
            for deploy, target in zip(deploys, env.targets, strict=True)
        ]
        verdict = model.CheckPreconditions(
            name=f"Verify {env.stage_name}",
            preconditions=[model.Precondition.expression(succeeded)],
        )
        return [builder.add(verdict, depends_on=undone)]

    def deploy_stage(
        self, env: Environment, target: Target, ref_id: str, parents: tuple[str, ...]
    ) -> model.DeployManifest:
        """The deploy stage of one target, already placed in the stage graph (so the builder keeps it as is)."""
        several = len(env.targets) > 1
        only_if = None
        if env.only_if is not None:
            judge = self.latest_judgment_before(env)
            only_if = f"#judgment('{judge}') == '{env.only_if}'"
        carried = self.carried_manifests()
        return model.DeployManifest(
            ref_id=ref_id,
            requisite_stage_ref_ids=parents,
            name=f"{env.stage_name} ({target.title})" if several else env.stage_name,
            account=target.account,
            manifest_artifact_id=None if carried else self.manifest_id,
            manifests=carried,
            source="text" if carried else "artifact",
            required_artifact_ids=self.required_ids or None,
            namespace_override=target.namespace,
            moniker=env.moniker or model.Moniker(app=self.chain.application),
            traffic_management=env.traffic_management or model.TrafficManagement(),
            restricted_execution_window=env.window,
            stage_enabled=only_if,
            failure=model.FailurePolicy.ignore() if env.on_failure == "rollback" else None,
        )

    def carried_manifests(self) -> tuple[str, ...]:
        """Pinned: the manifests the previous environment's deploy resolved, read from its stage context.

        Deploy (Manifest) keeps the fetched manifests in ``context.manifests`` (ResolveDeploySourceManifestTask
        .java:73-79). The same pipeline reads them with ``#stage``; a downstream pipeline through
        ``trigger.parentExecution``, the whole parent execution a pipeline trigger hands over
        (DependentPipelineStarter.groovy:91-99), one hop per pipeline in between. orca flattens the list the
        expression resolves to (flattenNestedLists), so the content deployed is exactly what ran upstream,
        whatever the branch points at now.
        """
        if not self.chain.pin or self.deployed is None:
            return ()
        index, ref_id, name = self.deployed
        hops = self.pipeline_index - index
        if hops == 0:
            return ("${#stage('" + name + "').context.manifests}",)
        parent = "trigger" + ".parentExecution.trigger" * (hops - 1) + ".parentExecution"
        return ("${" + parent + ".stages.^[refId == '" + ref_id + "'].context.manifests}",)

    def latest_judgment_before(self, env: Environment) -> str:
        position = self.chain.steps.index(env)
        for step in reversed(self.chain.steps[:position]):
            if isinstance(step, GateStep) and isinstance(step.stage, model.ManualJudgment):
                return step.name
        raise ValueError(f"deploy({env.name!r}, only_if=...) needs a judge() gate before it")

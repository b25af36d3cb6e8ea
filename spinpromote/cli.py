"""The ``spinpromote`` command: render, validate, plan, apply, run, judge and import pipelines.

This module only wires the layers together: `spinpromote._cli_source` loads SOURCE, `spinpromote.gate` talks
to Gate (imported only by the commands that need it, so ``import spinpromote`` never loads ``requests``),
`spinpromote.codegen` writes Python for ``import``. Exit codes: 0 success, 1 failure, 2 usage error;
``plan`` exits 0 when nothing would change, 2 when something would, 1 on any error, usage errors included
(so that 2 always means "changes pending"). Output piped into a command that stops reading early
(``spinpromote plan X | head -3``) keeps the command's exit code.
"""

from __future__ import annotations

import argparse
import getpass
import graphlib
import os
import re
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

import attrs

from spinpromote._cli_source import Loaded, SourceError, file_name, load_source, read_json
from spinpromote._terminal import printable
from spinpromote.chain import LAYOUTS, Layout, PromotionChain
from spinpromote.codec import dumps
from spinpromote.errors import (
    GateAuthError,
    GateConnectionError,
    GateError,
    PipelineFormatError,
    SpinpromoteError,
    ValidationError,
)

if TYPE_CHECKING:
    from spinpromote.gate import ApplyEvent, Execution, GateAuth, GateClient, Plan
    from spinpromote.model import Pipeline
    from spinpromote.model.application import Application
    from spinpromote.validate import Problem

__all__ = ["EXIT_CHANGES", "EXIT_FAILURE", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_CHANGES = 2
"""``plan`` only: the plan has changes (like ``terraform plan -detailed-exitcode``)."""

PROG = "spinpromote"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class CommandError(Exception):
    """A failure to report as one line on stderr, exit code 1."""


class UsageError(Exception):
    """A wrong combination of options, reported like argparse's own errors, exit code 2."""


# ---------------------------------------------------------------------------------------------------
# Output helpers


def _err(message: str, stream: TextIO | None = None) -> None:
    """A message for a person on stderr; control characters (from Gate's data) shown as escapes."""
    try:
        print(printable(message, multiline=True), file=stream or sys.stderr, flush=True)
    except BrokenPipeError:
        _reader_gone(stream or sys.stderr)


def _out(text: object) -> None:
    """A report on stdout (a plan, a result, an execution), with control characters shown as escapes.

    When the reader went away (``spinpromote plan X | head -3``), the rest of the output is dropped and the
    command goes on to its real exit code.
    """
    try:
        print(printable(text, multiline=True), flush=True)
    except BrokenPipeError:
        _reader_gone(sys.stdout)


def _reader_gone(stream: TextIO) -> None:
    """Send the rest of ``stream``'s output to the null device (as Python's documentation on SIGPIPE advises),
    so that neither later prints nor the flush at exit raise again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (tests capture output): nothing to redirect
        pass


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


# ---------------------------------------------------------------------------------------------------
# Gate connection


def _gate_client(args: argparse.Namespace) -> GateClient:
    """A GateClient from the flags, falling back on SPINNAKER_* environment variables."""
    from spinpromote.gate import GateClient, RetryPolicy

    url = args.gate or os.environ.get("SPINNAKER_GATE_URL")
    if not url:
        raise CommandError("no Gate address: pass --gate URL or set SPINNAKER_GATE_URL")
    token = args.token or os.environ.get("SPINNAKER_TOKEN")
    user = args.user or os.environ.get("SPINNAKER_USER")
    if args.user and args.token:
        raise UsageError("give --user or --token, not both")
    if args.key and not args.cert:
        raise UsageError("--key needs --cert")
    if args.cert and (args.user or args.token):
        raise UsageError("--cert cannot be combined with --user or --token: pick one way to log in")
    headers = dict(_parse_header(header) for header in args.header)
    try:  # the auth classes and the client refuse values HTTP cannot carry, without showing them
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            client = GateClient(
                url,
                auth=_auth(args, user, token),
                headers=headers,
                verify=not args.insecure,
                timeout=args.timeout,
                retry=RetryPolicy(attempts=args.retries),
            )
    except ValueError as error:
        raise CommandError(f"{error} (check --gate, --header, and the SPINNAKER_* variables)") from None
    for warning in caught:  # credentials over plain http: one line, not Python's warning format
        _err(f"{PROG}: warning: {warning.message}")
    return client


def _auth(args: argparse.Namespace, user: str | None, token: str | None) -> GateAuth | None:
    from spinpromote.gate import BasicAuth, BearerToken, X509ClientCert

    if args.cert:
        return X509ClientCert(args.cert, args.key)
    if user and not args.token:
        password = os.environ.get("SPINNAKER_PASSWORD")
        if password is None:
            if not sys.stdin.isatty():
                raise CommandError(f"no password for {user!r}: set SPINNAKER_PASSWORD (never on the command line)")
            password = getpass.getpass(f"Gate password for {user}: ")
        return BasicAuth(user, password)
    if token:
        return BearerToken(token)
    return None


def _parse_header(text: str) -> tuple[str, str]:
    name, colon, value = text.partition(":")
    if not colon or not name.strip():
        raise UsageError("--header expects 'Name: value' (the one given has no colon; it is not shown here)")
    return name.strip(), value.strip()


# ---------------------------------------------------------------------------------------------------
# Commands


def cmd_render(args: argparse.Namespace) -> int:
    pipelines = load_source(args.source).pipelines(args.layout)
    if args.output is None:
        sys.stdout.write(_utf8_json(dumps([pipeline.to_dict() for pipeline in pipelines])) + "\n")
        return EXIT_OK
    files = _output_files(Path(args.output), pipelines)  # every path checked before anything is written
    for path, pipeline in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_utf8_json(pipeline.to_json()) + "\n", encoding="utf-8")
    _err(f"wrote {len(files)} pipeline file(s) under {args.output}")
    return EXIT_OK


def _utf8_json(text: str) -> str:
    """JSON text with each lone surrogate (which UTF-8 cannot encode) as a ``\\udXXX`` escape: same value."""
    return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _output_files(folder: Path, pipelines: Sequence[Pipeline]) -> dict[Path, Pipeline]:
    """DIR/<application>/<pipeline>.json for each pipeline; refuses names that would leave DIR or clash."""
    root = folder.resolve()
    files: dict[Path, Pipeline] = {}
    for pipeline in pipelines:
        try:
            application = file_name(pipeline.application, fallback="unknown-application", suffix="")
            path = folder / application / file_name(pipeline.name)
        except ValueError as error:
            raise CommandError(
                f"cannot write pipeline {pipeline.name!r} of application {pipeline.application!r}: {error}"
            ) from error
        if not path.resolve().is_relative_to(root):  # a symbolic link inside DIR pointing out of it
            raise CommandError(f"{path} leads outside {folder} (through a symbolic link): not writing there")
        if path in files:
            raise CommandError(
                f"pipelines {files[path].name!r} and {pipeline.name!r} both write {path}: rename one of them"
            )
        files[path] = pipeline
    return files


def cmd_graph(args: argparse.Namespace) -> int:
    from spinpromote.diagram import diagram

    drawing = diagram(load_source(args.source).pipelines(args.layout))
    text = {"mermaid": drawing.to_mermaid, "dot": drawing.to_dot, "svg": drawing.to_svg}[args.format]()
    if args.output is None:
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        _err(f"wrote {args.output}")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    problems = load_source(args.source).problems(args.layout)
    for problem in problems:
        _out(problem)
    errors = sum(1 for problem in problems if problem.severity == "error")
    warnings = len(problems) - errors
    _err(f"{errors} error(s), {warnings} warning(s)" if problems else "no problems found")
    return EXIT_FAILURE if errors else EXIT_OK


@attrs.frozen
class _Source:
    """SOURCE as `GateClient.plan` takes it: its pipelines, and every problem of its chains and pipelines."""

    loaded: Loaded
    layout: Layout | None

    def pipelines(self) -> list[Pipeline]:
        return self.loaded.pipelines(self.layout)

    def validate(self) -> list[Problem]:
        return self.loaded.problems(self.layout)

    def applications(self) -> list[Application]:
        return [
            definition.application_spec
            for _, definition in self.loaded.definitions
            if isinstance(definition, PromotionChain) and definition.application_spec is not None
        ]


def _make_plan(gate: GateClient, args: argparse.Namespace) -> Plan:
    source = _Source(load_source(args.source), args.layout)
    try:
        return gate.plan(
            source,
            prune=args.prune,
            owner=args.owner,
            lock=args.lock,
            applications=source.applications(),
            allow_invalid=args.allow_invalid,
        )
    except ValidationError as error:
        for problem in error.problems:
            _out(problem)
        raise CommandError(
            f"{len(error.problems)} validation error(s) in {args.source}: nothing was planned; fix them "
            "(spinpromote validate lists them), or pass --allow-invalid"
        ) from None


def _saved_plan(path: str) -> Plan | None:
    """The plan saved at ``path`` by ``spinpromote plan -o``, or None when ``path`` is a SOURCE."""
    from spinpromote.gate import Plan
    from spinpromote.planning import is_saved_plan

    if not path.endswith(".json") or not Path(path).is_file():
        return None
    data = read_json(Path(path))
    if not is_saved_plan(data):
        return None
    try:
        return Plan.from_json(Path(path).read_bytes())
    except PipelineFormatError as error:
        raise CommandError(f"{path}: not a plan spinpromote can apply: {error.message} at {error.path}") from None


# Flags that shape a plan (attribute, default): a saved plan was shaped when it was made.
_PLAN_FLAGS = {
    "--prune": ("prune", False),
    "--owner": ("owner", "default"),
    "--lock": ("lock", False),
    "--allow-invalid": ("allow_invalid", False),
    "--layout": ("layout", None),
}


def cmd_plan(args: argparse.Namespace) -> int:
    with _gate_client(args) as gate:
        plan = _make_plan(gate, args)
    if args.output is not None:
        Path(args.output).write_text(plan.to_json(), encoding="utf-8")
        _err(f"wrote the plan to {args.output}: spinpromote apply {args.output} applies exactly it")
    _out(plan)
    return EXIT_CHANGES if plan.has_changes else EXIT_OK


def cmd_apply(args: argparse.Namespace) -> int:
    from spinpromote.gate import ApplyError

    saved = _saved_plan(args.source)
    if saved is not None:
        given = [flag for flag, value in _PLAN_FLAGS.items() if getattr(args, value[0]) != value[1]]
        if given:
            raise UsageError(f"a saved plan is applied as it was made: give {', '.join(given)} to plan -o instead")
    with _gate_client(args) as gate:
        plan = saved if saved is not None else _make_plan(gate, args)
        _out(plan)
        if not plan.has_changes:
            _out("Nothing to apply.")
            return EXIT_OK
        if not args.yes:
            if not sys.stdin.isatty():
                raise CommandError("not applying: stdin is not a terminal, so I cannot ask; pass --yes to apply")
            answer = input("Apply these changes? Only 'yes' is accepted: ")
            if answer.strip().lower() != "yes":
                raise CommandError("not applied: the answer was not 'yes'")

        def progress(event: ApplyEvent) -> None:
            _err(str(event))

        try:
            result = gate.apply(plan, on_progress=progress)
        except ApplyError as error:
            _out(error.result)
            count = len(error.result.failed) + len(error.result.skipped)
            raise CommandError(f"apply did not finish for {count} change(s); see above") from error
    _out(result)
    return EXIT_OK


def cmd_executions(args: argparse.Namespace) -> int:
    with _gate_client(args) as gate:
        executions = gate.executions(args.application, args.pipeline, limit=args.limit, statuses=args.status or None)
    for execution in executions:
        _out(_execution_line(execution))
    if not executions:
        _err("no executions found")
    return EXIT_OK


def _execution_line(execution: Execution) -> str:
    from datetime import datetime, timezone

    started = "not started"
    if execution.start_time:
        moment = datetime.fromtimestamp(execution.start_time / 1000, tz=timezone.utc)
        started = moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{execution.id}  {execution.status:<10}  {started}  {execution.name}"


def cmd_cancel(args: argparse.Namespace) -> int:
    with _gate_client(args) as gate:
        gate.cancel(args.execution_id, reason=args.reason)
    _err(f"asked Spinnaker to cancel {args.execution_id}: it shows CANCELED once orca has stopped it")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    parameters = dict(_parse_parameter(text) for text in args.parameter)
    with _gate_client(args) as gate:
        execution_id = gate.trigger(args.application, args.pipeline, parameters=parameters or None)
        _out(execution_id)
        if not args.wait:
            return EXIT_OK
        _err(f"started {args.pipeline!r}: execution {execution_id}; waiting (up to {args.wait_timeout:g} s)")
        hinted: set[str] = set()

        def progress(execution: Execution) -> None:
            _err(str(execution))
            judgment = execution.pending_judgment
            if judgment is not None and judgment.id not in hinted:
                hinted.add(judgment.id)
                _err(
                    f"waiting for Manual Judgment {judgment.name!r}: "
                    f"spinpromote judge {execution_id} {_quote(judgment.name or judgment.id)} --continue"
                )

        execution = gate.wait_for_execution(
            execution_id, timeout=args.wait_timeout, poll_interval=args.poll, on_progress=progress
        )
    if not execution.succeeded:
        raise CommandError(f"execution {execution_id} ended {execution.status}")
    _err(f"execution {execution_id} succeeded")
    return EXIT_OK


def _quote(text: str) -> str:
    return text if text.replace("-", "").replace("_", "").isalnum() else repr(text)


def _parse_parameter(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise UsageError(f"--parameter expects NAME=VALUE, got {text!r}")
    return name, value


def cmd_judge(args: argparse.Namespace) -> int:
    decision: Literal["continue", "stop"] = "continue" if args.decision == "continue" else "stop"
    with _gate_client(args) as gate:
        execution = gate.get_execution(args.execution_id)
        if execution is None:
            raise CommandError(
                f"Gate knows no execution {args.execution_id!r}: check the id (spinpromote run prints it)"
            )
        judgments = [stage for stage in execution.stages if stage.type == "manualJudgment"]
        matches = [s for s in judgments if args.stage in (s.id, s.name, s.ref_id)]
        if not matches:
            names = ", ".join(repr(s.name or s.id) for s in judgments) or "none"
            raise CommandError(f"execution {args.execution_id} has no Manual Judgment {args.stage!r} (it has: {names})")
        stage = matches[0]
        if not stage.awaits_judgment:
            raise CommandError(f"Manual Judgment {args.stage!r} is not waiting for an answer (it is {stage.status})")
        updated = gate.judge(args.execution_id, decision, judgment_input=args.input, stage_id=stage.id)
    _out(updated if updated is not None else f"answered {args.stage!r} with {decision}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from spinpromote.codegen import generate

    if args.application:
        documents, source = _import_from_gate(args), f"application {args.application!r} on Gate"
        if not documents:
            raise CommandError(f"application {args.application!r} has no pipelines on Gate (or does not exist)")
    else:
        documents, source = _import_from_file(Path(args.file)), Path(args.file).name
    try:
        code = generate(documents, source=source)
    except PipelineFormatError as error:
        raise CommandError(f"{source}: not a pipeline: {error.message} at {error.path}") from error
    if args.output is None:
        sys.stdout.write(code)
    else:
        Path(args.output).write_text(code, encoding="utf-8")
        _err(f"wrote {len(documents)} pipeline(s) to {args.output}")
    return EXIT_OK


def _import_from_file(path: Path) -> list[dict[str, Any]]:
    data = read_json(path)
    documents = data if isinstance(data, list) else [data]
    for index, document in enumerate(documents):
        if not isinstance(document, dict):
            raise CommandError(f"{path}: item {index} is not a pipeline object")
    return documents


def _import_from_gate(args: argparse.Namespace) -> list[dict[str, Any]]:
    from spinpromote.codegen import promotion_edges
    from spinpromote.model import Pipeline
    from spinpromote.planning import authored

    with _gate_client(args) as gate:
        configs = gate.list_pipeline_configs(args.application)
    # What front50 and apply add on their own (timestamps, index, schema "1", the owner marker) is left out.
    documents = [authored(config) for config in configs]
    pipelines = [Pipeline.from_dict(document) for document in documents]
    edges = [(pipelines.index(up), pipelines.index(down)) for up, down in promotion_edges(pipelines)]
    return [documents[i] for i in _upstream_first(len(documents), edges)]


def _upstream_first(count: int, edges: Sequence[tuple[int, int]]) -> list[int]:
    """Indexes in an order where upstream comes first (so a promotion reads top to bottom); ties keep Gate's order.

    A cycle of pipeline triggers cannot be ordered: then every pipeline keeps Gate's order.
    """
    graph: dict[int, set[int]] = {index: set() for index in range(count)}
    for upstream, downstream in edges:
        graph[downstream].add(upstream)
    sorter = graphlib.TopologicalSorter(graph)
    try:
        sorter.prepare()
    except graphlib.CycleError:
        return list(range(count))
    order: list[int] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order += ready
        sorter.done(*ready)
    return order


# ---------------------------------------------------------------------------------------------------
# The parser


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show the full traceback of an error"
    )


def _add_layout(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        default=None,
        help="how a PromotionChain becomes pipelines (default: the layout the chain declares)",
    )


def _add_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source",
        metavar="SOURCE",
        help="a .py file whose module-level PromotionChain and Pipeline objects are used (FILE.py:NAME picks "
        "one); the file is RUN as Python code, with your environment and credentials, so pass only files you "
        "trust; or a .json file with one pipeline or a list of them (only read)",
    )
    _add_layout(parser)


def _add_gate(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "Gate connection",
        "Flags win over environment variables. Passwords are read from SPINNAKER_PASSWORD (or asked for on a "
        "terminal), never from the command line.",
    )
    group.add_argument("--gate", metavar="URL", help="Gate's address (default: $SPINNAKER_GATE_URL)")
    group.add_argument("--user", help="log in with HTTP Basic as USER (default: $SPINNAKER_USER)")
    group.add_argument("--token", help="bearer token (default: $SPINNAKER_TOKEN; prefer the variable)")
    group.add_argument("--cert", metavar="FILE", help="client certificate (PEM) for Gate's x509 login")
    group.add_argument("--key", metavar="FILE", help="the client certificate's key (PEM), if not in --cert")
    group.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="extra header on every request (repeatable), e.g. for a proxy",
    )
    group.add_argument("--insecure", action="store_true", help="do not verify Gate's TLS certificate")
    group.add_argument(
        "--timeout", type=float, default=60.0, metavar="SECONDS", help="seconds to wait for each answer (default 60)"
    )
    group.add_argument(
        "--retries",
        type=_positive_int,
        default=6,
        metavar="N",
        help="attempts per request on transient failures (default 6)",
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _add_plan_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--prune", action="store_true", help="also delete pipelines this owner applied earlier that are gone now"
    )
    parser.add_argument(
        "--owner", default="default", help="who owns the applied pipelines, for --prune (default: default)"
    )
    parser.add_argument(
        "--lock", action="store_true", help="lock the pipelines in Deck's UI (edit the code, not the UI)"
    )
    parser.add_argument(
        "--allow-invalid", action="store_true", help="plan even when validation finds errors (they are listed)"
    )


_EPILOG = """\
exit codes: 0 success, 1 failure, 2 usage error; plan: 0 no changes, 2 changes, 1 any error.
environment: SPINNAKER_GATE_URL, SPINNAKER_USER, SPINNAKER_PASSWORD, SPINNAKER_TOKEN.
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``spinpromote`` command."""
    from spinpromote import __version__

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Spinnaker pipelines as typed, tested Python: render, validate, plan and apply them.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_common(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        _add_common(sub)
        return sub

    render = command("render", cmd_render, "Render the pipelines of SOURCE as Spinnaker JSON.")
    _add_source(render)
    render.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        help="write DIR/<application>/<pipeline name>.json, one file per pipeline (default: a JSON array on stdout)",
    )

    graph = command("graph", cmd_graph, "Draw SOURCE's pipelines, stages, triggers and artifact hand-offs.")
    _add_source(graph)
    graph.add_argument(
        "--format", choices=("mermaid", "dot", "svg"), default="svg", help="the diagram's format (default: svg)"
    )
    graph.add_argument("-o", "--output", metavar="FILE", help="write the diagram to FILE (default: stdout)")

    validate = command("validate", cmd_validate, "List every problem of SOURCE's pipelines; exit 1 on errors.")
    _add_source(validate)

    plan = command("plan", cmd_plan, "Show what applying SOURCE would change; exit 0 no changes, 2 changes, 1 error.")
    _add_source(plan)
    _add_plan_options(plan)
    plan.add_argument(
        "-o", "--output", metavar="PLAN.json", help="also save the plan: spinpromote apply PLAN.json applies it"
    )
    _add_gate(plan)

    apply = command(
        "apply",
        cmd_apply,
        "Show the plan for SOURCE (or a plan saved by plan -o), ask, then write it to Spinnaker.",
    )
    _add_source(apply)
    _add_plan_options(apply)
    apply.add_argument(
        "-y", "--yes", action="store_true", help="apply without asking (needed when stdin is no terminal)"
    )
    _add_gate(apply)

    run = command("run", cmd_run, "Start a pipeline by name (or id); print the execution id.")
    run.add_argument("application", metavar="APPLICATION")
    run.add_argument("pipeline", metavar="PIPELINE", help="the pipeline's name or id")
    run.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE", help="repeatable")
    run.add_argument("--wait", action="store_true", help="wait until it finishes; exit 1 unless it succeeded")
    run.add_argument("--wait-timeout", type=float, default=1800.0, metavar="SECONDS", help="default 1800")
    run.add_argument("--poll", type=float, default=2.0, metavar="SECONDS", help=argparse.SUPPRESS)
    _add_gate(run)

    judge = command("judge", cmd_judge, "Answer a Manual Judgment of a running execution.")
    judge.add_argument("execution_id", metavar="EXECUTION_ID")
    judge.add_argument("stage", metavar="STAGE", help="the judgment stage's name (or its refId or stage id)")
    decision = judge.add_mutually_exclusive_group(required=True)
    decision.add_argument("--continue", dest="decision", action="store_const", const="continue", help="continue")
    decision.add_argument("--stop", dest="decision", action="store_const", const="stop", help="stop the pipeline")
    judge.add_argument("--input", metavar="VALUE", help="the judgment input option chosen")
    _add_gate(judge)

    executions = command("executions", cmd_executions, "List an application's latest executions, newest first.")
    executions.add_argument("application", metavar="APPLICATION")
    executions.add_argument("--pipeline", metavar="NAME", help="only this pipeline's executions")
    executions.add_argument("--limit", type=_positive_int, default=25, metavar="N", help="at most N (default 25)")
    executions.add_argument(
        "--status", action="append", metavar="STATUS", help="only this status (repeatable): RUNNING, SUCCEEDED, ..."
    )
    _add_gate(executions)

    cancel = command("cancel", cmd_cancel, "Cancel a running execution.")
    cancel.add_argument("execution_id", metavar="EXECUTION_ID")
    cancel.add_argument("--reason", help="why (shown in Deck)")
    _add_gate(cancel)

    importer = command("import", cmd_import, "Write Python code that builds existing pipelines.")
    where = importer.add_mutually_exclusive_group(required=True)
    where.add_argument("--application", metavar="APP", help="every pipeline of APP, read from Gate")
    where.add_argument("file", nargs="?", metavar="FILE.json", help="a pipeline, or a list of pipelines")
    importer.add_argument("-o", "--output", metavar="FILE.py", help="write here (default: stdout)")
    _add_gate(importer)

    from spinpromote._cli_simulate import add_simulate_command

    add_simulate_command(command, _add_source)
    from spinpromote._cli_status import add_status_command

    add_status_command(command, _add_source, _add_gate, _gate_client)
    return parser


# ---------------------------------------------------------------------------------------------------
# Entry point


def _explain(error: BaseException) -> str:
    """One line for a person: what went wrong and what to do."""
    if isinstance(error, (SourceError, CommandError)):
        return str(error)
    if isinstance(error, GateAuthError):  # the library's hint names Python arguments: name the flags instead
        return (
            f"Gate refused the login: {_without_hint(error)} "
            "(check --user and SPINNAKER_PASSWORD, --token / SPINNAKER_TOKEN, or --cert)"
        )
    if isinstance(error, GateConnectionError):
        text = _without_hint(error)
        if "http://" in str(error) and "plain HTTP" in str(error):
            return f"{text} (Gate speaks plain HTTP there: use --gate http://...)"
        if "TLS" in text or "certificate" in text.lower():
            return f"{text} (check --cert and --key, or --insecure for a self-signed Gate)"
        return f"{text} (check --gate / SPINNAKER_GATE_URL and that Gate is up)"
    if isinstance(error, (GateError, SpinpromoteError)):
        return _one_line(error)
    return f"unexpected {type(error).__name__}: {_one_line(error)} (rerun with --debug for the traceback)"


def _without_hint(error: BaseException) -> str:
    return _one_line(error).split("; hint: ", 1)[0]


def _usage_exit(argv: Sequence[str] | None) -> int:
    """Usage errors exit 2, except for ``plan``, where 2 means "changes pending": there they exit 1."""
    words = [word for word in (sys.argv[1:] if argv is None else argv) if not word.startswith("-")]
    return EXIT_FAILURE if words[:1] == ["plan"] else EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); return its exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        if exit_.code in (0, None):
            return EXIT_OK
        return (
            _usage_exit(argv)
            if exit_.code == EXIT_USAGE
            else int(exit_.code)
            if isinstance(exit_.code, int)
            else EXIT_FAILURE
        )
    debug = getattr(args, "debug", False)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except UsageError as error:
        _err(f"{PROG} {args.command}: error: {error} (see {PROG} {args.command} --help)")
        return _usage_exit(argv)
    except KeyboardInterrupt:
        _err(f"{PROG}: interrupted")
        return 130
    except BrokenPipeError:  # the reader went away (``spinpromote render x | head``): nothing more to say
        _reader_gone(sys.stdout)
        return EXIT_FAILURE
    except Exception as error:
        if debug:
            traceback.print_exc()
        _err(f"{PROG}: error: {_explain(error)}")
        return EXIT_FAILURE

"""``spinpromote simulate``: run SOURCE's pipelines in a simulated Spinnaker and print what happens.

Events are sent in the order given (``--git-push``, ``--docker-push``), then each ``--judge`` answers the
oldest waiting Manual Judgment, then ``--advance`` moves the simulated clock. Exit 0 when every execution
succeeded, 2 when one waits (a judgment, a window, a wait), 1 when one failed or on error.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from spinpromote._cli_source import SourceError, load_source
from spinpromote._terminal import printable

__all__ = ["add_simulate_command", "cmd_simulate"]

EXIT_OK, EXIT_FAILED, EXIT_WAITING = 0, 1, 2

_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    """``90s``, ``30m``, ``2h``, ``1d``, ``1h30m`` as a timedelta."""
    parts = _DURATION.findall(text.strip())
    if not parts or "".join(n + u for n, u in parts) != text.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is no duration: write it like 90s, 30m, 2h, 1d or 1h30m")
    return sum((timedelta(**{_UNITS[unit]: float(number)}) for number, unit in parts), timedelta())


def _git_push(text: str) -> tuple[str, str]:
    repo, _, rest = text.partition(":")
    branch, _, paths = rest.partition(":")
    if "/" not in repo or not branch or not paths:
        raise argparse.ArgumentTypeError(f"{text!r}: write OWNER/REPO:BRANCH:PATH[,PATH...]")
    return ("git", text)


def _docker_push(text: str) -> tuple[str, str]:
    found = re.fullmatch(r"(?P<registry>[^/]+)/(?P<repository>[^:@]+):(?P<tag>[^:@/]+)", text)
    if found is None or not ("." in found["registry"] or ":" in found["registry"] or found["registry"] == "localhost"):
        raise argparse.ArgumentTypeError(f"{text!r}: write REGISTRY/REPOSITORY:TAG, like gcr.io/acme/web:v2")
    return ("docker", text)


def add_simulate_command(
    command: Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser],
    add_source: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Register ``simulate`` with the CLI's ``command(name, handler, help)`` helper and its SOURCE arguments."""
    parser = command(
        "simulate",
        cmd_simulate,
        "Run SOURCE's pipelines in a simulated Spinnaker; exit 0 all succeeded, 2 one waits, 1 one failed.",
    )
    add_source(parser)
    parser.add_argument(
        "--git-push",
        dest="events",
        action="append",
        type=_git_push,
        default=[],
        metavar="OWNER/REPO:BRANCH:PATH[,PATH]",
        help="commit PATHs (their local text when the file exists here, else a placeholder) and send the push",
    )
    parser.add_argument(
        "--docker-push",
        dest="events",
        action="append",
        type=_docker_push,
        metavar="REGISTRY/REPOSITORY:TAG",
        help="push an image and send the event (the account is the matching docker trigger's)",
    )
    parser.add_argument(
        "--judge",
        action="append",
        default=[],
        choices=("continue", "stop"),
        help="answer the oldest waiting Manual Judgment (repeatable)",
    )
    parser.add_argument("--input", dest="judgment_input", metavar="VALUE", help="the judgment input option chosen")
    parser.add_argument(
        "--advance", type=parse_duration, metavar="DURATION", help="then move the clock on (90s, 30m, 2h, 1d)"
    )


def _send(spin: Any, kind: str, value: str) -> None:
    from spinpromote.sim import DockerPush, GitPush

    if kind == "git":
        repo, branch, paths = value.split(":", 2)
        files = {}
        for path in paths.split(","):
            local = Path(path)
            files[path] = (
                local.read_text(encoding="utf-8") if local.is_file() else f"# {path}, pushed by spinpromote simulate\n"
            )
        spin.send(GitPush(repo=repo, branch=branch, files=files))
        return
    found = re.fullmatch(r"(?P<registry>[^/]+)/(?P<repository>[^:@]+):(?P<tag>.+)", value)
    assert found is not None
    account = next(
        (
            trigger.get("account")
            for pipeline in spin.front50
            for trigger in pipeline.get("triggers") or []
            if trigger.get("type") == "docker" and trigger.get("repository") == found["repository"]
        ),
        None,
    )
    spin.send(DockerPush(registry=found["registry"], repository=found["repository"], tag=found["tag"], account=account))


def _oldest_waiting_judgment(spin: Any) -> tuple[Any, str] | None:
    for execution in spin.orca.executions.values():
        if execution["status"] != "RUNNING":
            continue
        for stage in execution["stages"]:
            if stage.get("type") == "manualJudgment" and stage["status"] == "RUNNING":
                if not stage["context"].get("judgmentStatus"):
                    return execution["id"], stage["name"]
    return None


def _report(spin: Any) -> list[str]:
    lines = ["", "Timeline:"]
    lines += [f"  {line}" for line in spin.timeline()]
    lines += ["", "Executions:"]
    executions = [
        e for application in sorted({d["application"] for d in spin.front50}) for e in spin.executions(application)
    ]
    if not executions:
        lines.append("  none started")
    for execution in executions:
        lines.append(f"  {execution.pipeline_name} [{execution.id}]: {execution.status}")
        for stage in execution.stages:
            lines.append(
                f"    - {stage.name} ({stage.type}): {stage.status}" + (f": {stage.error}" if stage.error else "")
            )
        for artifact in execution.artifacts:
            lines.append(f"    artifact {artifact.type} {artifact.name} @ {artifact.version or '-'}")
        for note in execution.notes:
            lines.append(f"    note: {note}")
    lines += ["", "Deployments:"]
    lines += [
        f"  {d.account}/{d.namespace} by {d.pipeline_name!r}: {d.manifest.name if d.manifest else 'text'}"
        f" @ {d.manifest.version if d.manifest else '-'}" + "".join(f", image {image.reference}" for image in d.images)
        for d in spin.deployments()
    ] or ["  none"]
    failed = next((e for e in executions if e.error), None)
    if failed is not None:
        lines += ["", f"First failure: {failed.pipeline_name}: {failed.error}"]
    waiting = spin.waiting()
    if waiting:
        lines += ["", "Waiting:"] + [f"  {reason}" for reason in waiting]
    return lines


def cmd_simulate(args: argparse.Namespace) -> int:
    """Run the simulation the arguments describe; print the timeline and the results; return the exit code."""
    from spinpromote.sim import Spinnaker, SpinnakerAnswer

    pipelines = load_source(args.source).pipelines(args.layout)
    spin = Spinnaker()
    try:
        spin.save([pipeline.to_dict() for pipeline in pipelines])
    except SpinnakerAnswer as answer:
        raise SourceError(f"front50 refuses a pipeline of {args.source}: {answer.message}") from answer
    for kind, value in args.events:
        _send(spin, kind, value)
        spin.settle()
    unused: list[str] = []
    for decision in args.judge:
        waiting = _oldest_waiting_judgment(spin)
        if waiting is None:
            unused.append(f"--judge {decision}: no Manual Judgment was waiting")
            continue
        spin.judge(waiting[0], waiting[1], decision, input=args.judgment_input)
        spin.settle()
    if args.advance is not None:
        spin.advance(args.advance)
    from spinpromote.cli import _out

    # names and messages come from SOURCE (possibly an export of live pipelines): each line is escaped on its
    # own, so a line feed in a name cannot forge a line either
    _out("\n".join(printable(line) for line in [*_report(spin), *unused]).lstrip("\n"))
    statuses = [e["status"] for e in spin.orca.executions.values()]
    if any(status not in ("SUCCEEDED", "RUNNING", "NOT_STARTED") for status in statuses):
        return EXIT_FAILED
    if any(status in ("RUNNING", "NOT_STARTED") for status in statuses):
        return EXIT_WAITING
    return EXIT_OK

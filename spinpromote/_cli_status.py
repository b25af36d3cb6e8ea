"""``spinpromote status SOURCE``: where each version of each chain is, read from Gate."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from spinpromote._cli_source import load_source
from spinpromote.chain import PromotionChain
from spinpromote.environments import EnvironmentStatus

if TYPE_CHECKING:
    from spinpromote.gate import GateClient

__all__ = ["add_status_command", "format_status"]


def add_status_command(
    command: Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser],
    add_source: Callable[[argparse.ArgumentParser], None],
    add_gate: Callable[[argparse.ArgumentParser], None],
    client: Callable[[argparse.Namespace], GateClient],
) -> None:
    """Register ``status`` with the CLI's ``command(name, handler, help)`` helper, SOURCE and Gate arguments."""

    def cmd_status(args: argparse.Namespace) -> int:
        chains = [d for _, d in load_source(args.source).definitions if isinstance(d, PromotionChain)]
        if not chains:
            print(f"{args.source} defines no PromotionChain")
            return 1
        if args.layout is not None:
            chains = [attrs.evolve(chain, layout=args.layout) for chain in chains]
        with client(args) as gate:
            for chain in chains:
                statuses = gate.environments(chain, limit=args.limit)
                print(format_status(chain.application, statuses))
        return 0

    parser = command(
        "status", cmd_status, "Show, per environment of SOURCE's chains, what runs where and what waits for a judgment."
    )
    add_source(parser)
    parser.add_argument("--limit", type=int, default=10, metavar="N", help="executions read per pipeline (default 10)")
    add_gate(parser)


def _when(time: datetime | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC") if time is not None else "-"


def format_status(application: str, statuses: Sequence[EnvironmentStatus]) -> str:
    """The status of one chain as plain lines.

    ```pycon
    >>> print(format_status("shop", [EnvironmentStatus(name="staging", targets={"staging": None}, waiting=())]))
    shop
      staging
        staging: nothing deployed yet

    ```
    """
    lines = [application]
    for status in statuses:
        lines.append(f"  {status.name}")
        for target, deployed in status.targets.items():
            if deployed is None:
                lines.append(f"    {target}: nothing deployed yet")
                continue
            versions = ", ".join(deployed.versions) or "no artifacts"
            lines.append(
                f"    {target}: {versions} (deployed {_when(deployed.time)} by {deployed.pipeline!r} "
                f"execution {deployed.execution_id})"
            )
        for waiting in status.waiting:
            versions = ", ".join(waiting.versions) or "no artifacts"
            lines.append(
                f"    waiting for judgment {waiting.judgment!r} since {_when(waiting.since)}: {versions} "
                f"(execution {waiting.execution_id})"
            )
    return "\n".join(lines)

"""The stage graph of one pipeline, in linear time and without recursion, cycles included.

Validation and diagrams both need the stages in dependency order, on graphs that may be cyclic, listed
downstream-first, or 100,000 stages long: everything here is iterative and linear in stages plus edges.
"""

from __future__ import annotations

from collections.abc import Sequence

from spinpromote import model

__all__ = ["columns", "components", "stage_parents"]


def stage_parents(stages: Sequence[model.Stage]) -> list[list[int]]:
    """For each stage, the indexes of the stages its ``requisiteStageRefIds`` name (unknown refIds left out).

    When several stages share a refId, the last one is the parent (as a dict of refIds would have it).

    ```pycon
    >>> from spinpromote import Wait
    >>> stage_parents([Wait(ref_id="1"), Wait(ref_id="2", requisite_stage_ref_ids=["1", "9"])])
    [[], [0]]

    ```
    """
    by_ref = {stage.ref_id: index for index, stage in enumerate(stages) if stage.ref_id is not None}
    return [[by_ref[ref] for ref in stage.requisite_stage_ref_ids if ref in by_ref] for stage in stages]


def components(parents: Sequence[Sequence[int]]) -> list[list[int]]:
    """The strongly connected components (Tarjan's algorithm, iterative), each after every one upstream of it.

    A stage outside any cycle is a component of its own; the stages of a cycle form one component.

    ```pycon
    >>> components([[2], [0], []])  # 2 runs first, then 0, then 1
    [[2], [0], [1]]
    >>> sorted(map(sorted, components([[1], [0]])))  # a cycle is one component
    [[0, 1]]

    ```
    """
    count = len(parents)
    order = [-1] * count  # when each node was first reached
    low = [0] * count
    on_stack = [False] * count
    stack: list[int] = []
    result: list[list[int]] = []
    counter = 0
    for root in range(count):
        if order[root] != -1:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, 0)]
        while work:
            node, position = work[-1]
            edges = parents[node]
            if position < len(edges):
                work[-1] = (node, position + 1)
                upstream = edges[position]
                if order[upstream] == -1:
                    order[upstream] = low[upstream] = counter
                    counter += 1
                    stack.append(upstream)
                    on_stack[upstream] = True
                    work.append((upstream, 0))
                elif on_stack[upstream]:
                    low[node] = min(low[node], order[upstream])
                continue
            work.pop()
            if work:
                caller = work[-1][0]
                low[caller] = min(low[caller], low[node])
            if low[node] == order[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
    return result


def columns(parents: Sequence[Sequence[int]]) -> list[int]:
    """Each stage's column in a drawing: the longest path of stages before it; the stages of a cycle share one.

    ```pycon
    >>> columns([[], [0], [0], [1, 2], [4]])  # a diamond, and a stage that requires itself
    [0, 1, 1, 2, 0]

    ```
    """
    column = [0] * len(parents)
    for component in components(parents):
        members = set(component) if len(component) > 1 else ()
        depth = 0
        for member in component:
            for parent in parents[member]:
                if parent != member and parent not in members:
                    depth = max(depth, column[parent] + 1)
        for member in component:
            column[member] = depth
    return column

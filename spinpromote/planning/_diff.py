"""A readable, stage-level diff of two pipeline documents.

Stages are matched by ``refId`` (so inserting a stage shows one added stage, not every later stage
changed); triggers, lists and other keys are compared by position and key. Values of keys that look like
secrets (a git trigger's ``secret``, webhook ``password`` fields, ...) are never printed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from spinpromote._terminal import printable

__all__ = ["describe_pipeline", "diff_pipelines"]

# Keys whose values are never shown: a git trigger's ``secret``, webhook headers (``Authorization``,
# ``X-Api-Key``, ``Cookie``), ``password``/``passphrase``, ``privateKey``, cloud ``accessKey``/``credentials``.
_SENSITIVE = re.compile(
    r"secret|pass|token|credential|auth|api[-_]?key|access[-_]?key|private|cookie|session|signature",
    re.IGNORECASE,
)
# user:password@ in URLs (webhook and artifact URLs), wherever they appear in a value.
_URL_USERINFO = re.compile(r"(?<=://)[^/@\s\"]+@")
_MAX_VALUE = 100


def _show(value: Any, key: str = "") -> str:
    if _SENSITIVE.search(key):
        return "<sensitive>"
    text = _URL_USERINFO.sub("<sensitive>@", json.dumps(_mask(value), sort_keys=True, ensure_ascii=False))
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def _mask(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: "<sensitive>" if _SENSITIVE.search(str(k)) else _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(item) for item in value]
    return value


def _last_key(path: str) -> str:
    return re.split(r"[.\[]", path)[-1].rstrip("]")


def _diff(old: Any, new: Any, path: str, out: list[str], indent: str) -> None:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in new:
                out.append(f"{indent}- {sub}: {_show(old[key], str(key))}")
            elif key not in old:
                out.append(f"{indent}+ {sub}: {_show(new[key], str(key))}")
            else:
                _diff(old[key], new[key], sub, out, indent)
        return
    if isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            sub = f"{path}[{index}]"
            if index >= len(new):
                out.append(f"{indent}- {sub}: {_show(old[index], _last_key(path))}")
            elif index >= len(old):
                out.append(f"{indent}+ {sub}: {_show(new[index], _last_key(path))}")
            else:
                _diff(old[index], new[index], sub, out, indent)
        return
    if json.dumps(old, sort_keys=True) != json.dumps(new, sort_keys=True):
        key = _last_key(path)
        out.append(f"{indent}~ {path}: {_show(old, key)} -> {_show(new, key)}")


def _stage_label(stage: Mapping[str, Any]) -> str:
    name = stage.get("name")
    label = f"stage {stage.get('refId', '?')}"
    if name:
        label += f" {json.dumps(name, ensure_ascii=False)}"
    return f"{label} ({stage.get('type', '?')})"


def _trigger_label(index: int, trigger: Any, names: Mapping[str, str]) -> str:
    if not isinstance(trigger, Mapping):
        return f"trigger {index}"
    kind = trigger.get("type", "?")
    detail = ""
    if kind == "pipeline":
        target = str(trigger.get("pipeline"))
        detail = f" on {json.dumps(names[target], ensure_ascii=False)}" if target in names else f" on {target}"
    elif kind == "git":
        detail = f" {trigger.get('project')}/{trigger.get('slug')}"
    elif kind == "cron":
        detail = f" {trigger.get('cronExpression')}"
    return f"trigger {index} ({kind}{detail})"


def _stages_by_ref(stages: Any) -> dict[str, Mapping[str, Any]]:
    result: dict[str, Mapping[str, Any]] = {}
    for index, stage in enumerate(stages if isinstance(stages, list) else []):
        if isinstance(stage, Mapping):
            key = str(stage.get("refId", f"#{index}"))
            result[key if key not in result else f"{key}#{index}"] = stage
    return result


def describe_pipeline(
    pipeline: Mapping[str, Any], indent: str = "    ", names: Mapping[str, str] | None = None
) -> list[str]:
    """One line per trigger and stage, for pipelines that are created or deleted.

    ``names`` maps pipeline ids to names, so that pipeline triggers show whom they follow.

    ```pycon
    >>> describe_pipeline({"stages": [{"refId": "1", "type": "wait", "name": "Wait"}]})
    ['    stage 1 "Wait" (wait)']

    ```
    """
    triggers = pipeline.get("triggers") or []
    lines = [f"{indent}{_trigger_label(i, t, names or {})}" for i, t in enumerate(triggers)]
    lines += [f"{indent}{_stage_label(stage)}" for stage in _stages_by_ref(pipeline.get("stages")).values()]
    return [printable(line) for line in lines]  # names, keys and values come from anyone: no terminal escapes


def diff_pipelines(
    old: Mapping[str, Any], new: Mapping[str, Any], indent: str = "    ", names: Mapping[str, str] | None = None
) -> list[str]:
    """Lines describing how ``new`` differs from ``old``: ``+`` added, ``-`` removed, ``~`` changed.

    ``names`` maps pipeline ids to names, as for `describe_pipeline`.

    ```pycon
    >>> old = {"stages": [{"refId": "1", "type": "wait", "waitTime": 30}], "limitConcurrent": True}
    >>> new = {"stages": [{"refId": "1", "type": "wait", "waitTime": 60}], "limitConcurrent": False}
    >>> print("\\n".join(diff_pipelines(old, new, indent="")))
    ~ limitConcurrent: true -> false
    ~ stage 1 (wait)
        ~ waitTime: 30 -> 60

    ```
    """
    names = names or {}
    out: list[str] = []
    for key in sorted((set(old) | set(new)) - {"stages", "triggers"}):
        _diff({key: old[key]} if key in old else {}, {key: new[key]} if key in new else {}, "", out, indent)

    old_triggers, new_triggers = old.get("triggers") or [], new.get("triggers") or []
    for index in range(max(len(old_triggers), len(new_triggers))):
        if index >= len(new_triggers):
            out.append(f"{indent}- {_trigger_label(index, old_triggers[index], names)}")
        elif index >= len(old_triggers):
            out.append(f"{indent}+ {_trigger_label(index, new_triggers[index], names)}")
        else:
            changes: list[str] = []
            _diff(old_triggers[index], new_triggers[index], "", changes, indent + "    ")
            if changes:
                out.append(f"{indent}~ {_trigger_label(index, new_triggers[index], names)}")
                out.extend(changes)

    old_stages, new_stages = _stages_by_ref(old.get("stages")), _stages_by_ref(new.get("stages"))
    for ref in [*old_stages, *(ref for ref in new_stages if ref not in old_stages)]:
        if ref not in new_stages:
            out.append(f"{indent}- {_stage_label(old_stages[ref])}")
        elif ref not in old_stages:
            out.append(f"{indent}+ {_stage_label(new_stages[ref])}")
        else:
            changes = []
            _diff(old_stages[ref], new_stages[ref], "", changes, indent + "    ")
            if changes:
                out.append(f"{indent}~ {_stage_label(new_stages[ref])}")
                out.extend(changes)
    common = [ref for ref in new_stages if ref in old_stages]
    if common != [ref for ref in old_stages if ref in new_stages]:
        out.append(f"{indent}~ stages reordered: {', '.join(common)}")
    return [printable(line) for line in out]  # names, keys and values come from anyone: no terminal escapes

"""Properties of the codec over random valid models and random (or damaged) JSON: lossless, plain, stable, safe."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spinpromote import Pipeline
from spinpromote.errors import PipelineFormatError
from tests.strategies import (
    FIELDS,
    MODEL_CLASSES,
    WIRE_KEYS,
    any_model_objects,
    fuzz_json,
    json_values,
    objects_of,
    pipelines,
)

CORPUS = Path(__file__).parents[1].parent / "shared" / "corpus"
CORPUS_TEXTS = [path.read_text(encoding="utf-8") for path in sorted(CORPUS.glob("*.json"))] if CORPUS.is_dir() else []

# Small budgets: the whole module runs in well under a minute on two cores.
FEW = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MANY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_PLAIN = (str, int, float, bool, type(None))


def assert_plain_json(value: Any, path: str = "$") -> None:
    """Fail unless ``value`` is built only of dict (str keys), list, str, int, finite float, bool and None."""
    cls = type(value)
    if cls is dict:
        for key, item in value.items():
            assert type(key) is str, f"non-string key {key!r} at {path}"
            assert_plain_json(item, f"{path}.{key}")
    elif cls is list:
        for index, item in enumerate(value):
            assert_plain_json(item, f"{path}[{index}]")
    else:
        assert cls in _PLAIN, f"{cls.__name__} value {value!r} at {path}"
        assert cls is not float or math.isfinite(value), f"non-finite float at {path}"


def parse_or_format_error(cls: type, document: Any) -> Any:
    """Parse ``document`` as ``cls``: success must be lossless, failure a PipelineFormatError with a JSON path.

    Any other exception propagates and fails the test.
    """
    try:
        parsed = cls.from_dict(document)  # type: ignore[attr-defined]
    except PipelineFormatError as error:
        assert error.path.startswith("$"), error.path
        return None
    assert json.dumps(parsed.to_dict()) == json.dumps(document)  # same keys, same order, same values
    return parsed


# ---------------------------------------------------------------------------------------------------
# The strategies themselves


def test_strategies_cover_every_model_class_and_field() -> None:
    """Every public model class has a strategy that can set every one of its fields."""
    for cls in MODEL_CLASSES:
        assert cls in FIELDS, f"no strategy for {cls.__name__}"
        missing = {field.name for field in attrs.fields(cls) if field.eq} - set(FIELDS[cls])
        assert not missing, f"{cls.__name__} strategy never sets {sorted(missing)}"


# ---------------------------------------------------------------------------------------------------
# Objects and dicts round-trip


@SOME
@given(pipelines)
def test_pipeline_object_round_trip(pipeline: Pipeline) -> None:
    """Rendering a pipeline and parsing it back gives an equal pipeline, through dicts and through text."""
    assert Pipeline.from_dict(pipeline.to_dict()) == pipeline
    assert Pipeline.from_json(pipeline.to_json()) == pipeline
    assert Pipeline.from_json(pipeline.to_json(indent=None)) == pipeline


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda cls: cls.__name__)
@FEW
@given(data=st.data())
def test_model_object_round_trip(cls: type, data: st.DataObject) -> None:
    """Every model class (typed stages, triggers and artifacts included) parses its own output back to itself."""
    obj = data.draw(objects_of(cls))

    assert type(obj).from_dict(obj.to_dict()) == obj


@SOME
@given(pipelines)
def test_pipelines_are_hashable_values_that_keep_their_text(pipeline: Pipeline) -> None:
    """A pipeline hashes like its re-parsed copy, and a parsed document renders back to the same text."""
    document = pipeline.to_dict()
    parsed = Pipeline.from_dict(document)

    assert hash(parsed) == hash(pipeline)
    assert json.dumps(parsed.to_dict()) == json.dumps(document)
    reordered = dict(reversed(list(document.items())))
    assert json.dumps(Pipeline.from_dict(reordered).to_dict()) == json.dumps(reordered)


@SOME
@given(pipelines)
def test_pipeline_dict_round_trip(pipeline: Pipeline) -> None:
    """A rendered pipeline's dict, and its JSON text, parse and render back to the same dict."""
    document = pipeline.to_dict()

    assert Pipeline.from_dict(document).to_dict() == document
    assert Pipeline.from_json(pipeline.to_json()).to_dict() == document
    assert json.loads(pipeline.to_json()) == document


# ---------------------------------------------------------------------------------------------------
# Output is plain JSON, and stable


@SOME
@given(pipelines)
def test_pipeline_output_is_plain_json(pipeline: Pipeline) -> None:
    """A rendered pipeline holds only dict, list, str, int, float, bool and None: no tuples, no model objects."""
    assert_plain_json(pipeline.to_dict())


@SOME
@given(any_model_objects)
def test_model_output_is_plain_json(obj: Any) -> None:
    """Every model class renders to plain JSON values only."""
    assert_plain_json(obj.to_dict())


@SOME
@given(pipelines)
def test_rendering_is_deterministic(pipeline: Pipeline) -> None:
    """A pipeline and its re-parsed copy render to the same text, indented and compact."""
    copy = Pipeline.from_dict(pipeline.to_dict())

    assert pipeline.to_json() == copy.to_json()
    assert pipeline.to_json(indent=None) == copy.to_json(indent=None)
    assert pipeline.to_json() == pipeline.to_json()


# ---------------------------------------------------------------------------------------------------
# Fuzzing: anything parses losslessly or fails with a PipelineFormatError naming a JSON path


@MANY
@given(json_values)
def test_random_json_parses_or_fails_with_a_path(document: Any) -> None:
    """Random JSON values either parse as a pipeline (losslessly) or raise PipelineFormatError with a $ path."""
    parse_or_format_error(Pipeline, document)


@MANY
@given(fuzz_json)
def test_pipeline_shaped_json_parses_or_fails_with_a_path(document: Any) -> None:
    """Random JSON built from wire keys and type names either parses losslessly or raises PipelineFormatError."""
    parse_or_format_error(Pipeline, document)


@SOME
@given(st.sampled_from(MODEL_CLASSES), fuzz_json, st.booleans())
def test_every_class_parses_random_json_or_fails_with_a_path(cls: type, document: Any, own_type: bool) -> None:
    """Any model class's from_dict, given random JSON, parses losslessly or raises PipelineFormatError."""
    constant = vars(cls).get("TYPE")
    if own_type and constant is not None and isinstance(document, dict):
        document = {**document, "type": constant}
    parse_or_format_error(cls, document)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('{"x": ' + "1" * 5000 + "}", id="integer-beyond-int-max-str-digits"),
        pytest.param('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}", id="nesting-beyond-json-recursion-limit"),
        pytest.param('{"x": ' + "[" * 950 + "]" * 950 + "}", id="nesting-beyond-copy-recursion-limit"),
        pytest.param('{"x": ' + "[" * 100 + "]" * 100 + "}", id="nesting-beyond-the-100-level-limit"),
        pytest.param('{"x": [1e999]}', id="number-beyond-float"),
    ],
)
def test_pathological_json_text_fails_with_a_path(text: str) -> None:
    """Valid JSON text that Python cannot represent or walk raises PipelineFormatError, not another error."""
    with pytest.raises(PipelineFormatError) as caught:
        Pipeline.from_json(text)
    assert caught.value.path.startswith("$")


# -- damaged corpus documents ------------------------------------------------------------------------


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every node's path below the root (dict keys and list indexes)."""
    found: list[tuple[Any, ...]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found.append((*path, key))
        found += _paths(item, (*path, key))
    return found


@cache
def _corpus_paths(index: int) -> list[tuple[Any, ...]]:
    return _paths(json.loads(CORPUS_TEXTS[index]))


def _container(document: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        document = document[key]
    return document


@st.composite
def damaged_corpus_documents(draw: st.DrawFn) -> Any:
    """A corpus document with one node replaced by random JSON, one key dropped, or one wire key added."""
    index = draw(st.integers(0, len(CORPUS_TEXTS) - 1))
    document = json.loads(CORPUS_TEXTS[index])
    path = draw(st.sampled_from(_corpus_paths(index)))
    parent = _container(document, path[:-1])
    action = draw(st.sampled_from(["replace", "replace", "replace", "drop", "add"]))
    if action == "replace":
        parent[path[-1]] = draw(json_values | fuzz_json)
    elif action == "drop" and isinstance(parent, dict):
        del parent[path[-1]]
    elif action == "add":
        target = parent[path[-1]]
        if isinstance(target, dict):
            target[draw(st.sampled_from(WIRE_KEYS))] = draw(json_values | fuzz_json)
        else:
            parent[path[-1]] = draw(fuzz_json)
    return document


@pytest.mark.skipif(not CORPUS_TEXTS, reason=f"no corpus at {CORPUS}")
@MANY
@given(damaged_corpus_documents())
def test_damaged_corpus_parses_losslessly_or_fails_with_a_path(document: Any) -> None:
    """A real pipeline with one node damaged parses losslessly or raises PipelineFormatError with a $ path."""
    parse_or_format_error(Pipeline, document)

"""Every real pipeline in the corpus parses into the typed model and renders back to the same JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spinpromote import GenericStage, GenericTrigger, Pipeline
from spinpromote.codec import _FAMILY_PARSERS
from spinpromote.model.stage_base import StageFields
from tests.conftest import corpus_params, load


@pytest.mark.parametrize("path", corpus_params())
def test_round_trip_is_lossless(path: Path) -> None:
    """from_dict then to_dict gives back an equal JSON value: unknown keys, nulls and defaults included."""
    document = load(path)

    assert Pipeline.from_dict(document).to_dict() == document


@pytest.mark.parametrize("path", corpus_params())
def test_round_trip_keeps_the_text(path: Path) -> None:
    """Rendering a parsed pipeline keeps the input's key order, nulls and empty values: the same JSON text."""
    document = load(path)
    pipeline = Pipeline.from_dict(document)

    assert json.dumps(pipeline.to_dict()) == json.dumps(document)
    assert json.dumps(Pipeline.from_json(path.read_bytes()).to_dict(), indent=2) == json.dumps(document, indent=2)
    assert hash(pipeline) == hash(Pipeline.from_dict(pipeline.to_dict()))


@pytest.mark.parametrize("path", corpus_params())
def test_json_text_round_trip(path: Path) -> None:
    """from_json(to_json()) gives back the same pipeline, and rendering it twice gives the same bytes."""
    pipeline = Pipeline.from_json(path.read_bytes())
    text = pipeline.to_json()

    assert Pipeline.from_json(text) == pipeline
    assert Pipeline.from_json(text).to_json() == text


@pytest.mark.parametrize("path", corpus_params())
def test_known_types_parse_into_typed_classes(path: Path) -> None:
    """Stage and trigger types the model knows never fall back to the generic classes."""
    pipeline = Pipeline.from_dict(load(path))
    typed_stages = set(_typed_names(StageFields))

    for stage in pipeline.stages:
        assert not (isinstance(stage, GenericStage) and stage.type in typed_stages), stage.type
    for trigger in pipeline.triggers:
        assert not (isinstance(trigger, GenericTrigger) and trigger.type in {"git", "docker", "pipeline", "pubsub"})


def _typed_names(base: type) -> list[str]:
    assert base in _FAMILY_PARSERS
    return [cls.TYPE for cls in _all_subclasses(base) if "TYPE" in vars(cls)]


def _all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found

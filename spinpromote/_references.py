"""The stage types whose ``pipeline`` key names another pipeline by id (besides pipeline triggers).

The one home of this fact, in a module that imports nothing: the planning layer reads JSON documents with it,
and `spinpromote.model.references` checks its typed view against it.
"""

PIPELINE_REFERENCE_STAGE_TYPES = frozenset({"pipeline", "findArtifactFromExecution"})

"""spinpromote: Spinnaker pipelines as typed, tested Python.

Build pipelines (or a whole `PromotionChain`) from typed classes, render the exact JSON Spinnaker stores,
parse existing pipelines losslessly, and validate what Spinnaker would only reveal at run time. The Gate
client lives in `spinpromote.gate`; `import spinpromote` does not import it (nor ``requests``).
"""

from spinpromote.builder import PipelineBuilder
from spinpromote.chain import Environment, Gate, PromotionChain, Target
from spinpromote.errors import PipelineFormatError, SpinpromoteError, ValidationError
from spinpromote.ids import expected_artifact_id, pipeline_id
from spinpromote.model import *  # noqa: F403 - the model is the core of the public surface
from spinpromote.model import __all__ as _model_all
from spinpromote.validate import Problem

__version__ = "0.1.0.dev0"

__all__ = sorted(
    [
        *_model_all,
        "Environment",
        "Gate",
        "PipelineBuilder",
        "PipelineFormatError",
        "Problem",
        "PromotionChain",
        "SpinpromoteError",
        "Target",
        "ValidationError",
        "expected_artifact_id",
        "pipeline_id",
    ]
)

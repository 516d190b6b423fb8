"""``prodready.load``: open-model load tests with HDR latencies and SLO gates.

Stands alone: imports nothing from the other parts of prodready. The CLI
(``prodready load``) is a thin layer over this API::

    from prodready.load import (
        RunConfig, Target, parse_profile_option, parse_threshold, render_text, run,
    )

    if __name__ == "__main__":  # workers are spawned processes
        result = run(RunConfig(
            targets=(Target("http://127.0.0.1:8080/health"),),
            stages=(parse_profile_option("constant:rate=200,duration=30s"),),
            thresholds=(parse_threshold("p99<50ms"),),
        ))
        print(render_text(result))

The results document (``LoadResult``) is a versioned public contract; see
docs/load.md and docs/schema/load-result.schema.json.
"""

from prodready.load._engine import Progress, RunConfig, run, validate
from prodready.load._errors import (
    ConfigError,
    LoadError,
    ResultFormatError,
    RunError,
    TargetNotAllowedError,
)
from prodready.load._gate import apply_thresholds
from prodready.load._importers import parse_result, read_result
from prodready.load._plan import LoadPlan, ResolvedPlan, load_plan
from prodready.load._profiles import Profile
from prodready.load._report_hist import parse_buckets, render_hist
from prodready.load._report_html import render_html
from prodready.load._report_text import render_text
from prodready.load._result import SCHEMA_VERSION, LoadResult, load_result_json_schema
from prodready.load._stages import (
    ConstantStage,
    LinearStage,
    RampTo,
    SineStage,
    SoakStage,
    SpikeStage,
    Stage,
    StepStage,
    build_profile,
    parse_profile_option,
    parse_stage_option,
    stages_from_ramps,
)
from prodready.load._targets import Target, check_allowed, load_targets_file
from prodready.load._thresholds import Threshold, parse_threshold

__all__ = [
    "SCHEMA_VERSION",
    "ConfigError",
    "ConstantStage",
    "LinearStage",
    "LoadError",
    "LoadPlan",
    "LoadResult",
    "Profile",
    "Progress",
    "RampTo",
    "ResolvedPlan",
    "ResultFormatError",
    "RunConfig",
    "RunError",
    "SineStage",
    "SoakStage",
    "SpikeStage",
    "Stage",
    "StepStage",
    "Target",
    "TargetNotAllowedError",
    "Threshold",
    "apply_thresholds",
    "build_profile",
    "check_allowed",
    "load_plan",
    "load_result_json_schema",
    "load_targets_file",
    "parse_buckets",
    "parse_profile_option",
    "parse_result",
    "parse_stage_option",
    "parse_threshold",
    "read_result",
    "render_hist",
    "render_html",
    "render_text",
    "run",
    "stages_from_ramps",
    "validate",
]

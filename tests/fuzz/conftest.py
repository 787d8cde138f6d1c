"""The fuzzing profile: a quick pass in every test run, a long one on demand.

Each fuzz test runs ``FLOWSPEC_FUZZ_EXAMPLES`` examples (default 200, about a second per
target), so CI stays fast; set it to 20000 for a long run. Only flowspec's own errors
(``FlowspecError``) may escape a target: anything else fails the test with the input that
caused it, shrunk by hypothesis.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

FUZZ_PROFILE = "flowspec-fuzz"
DEFAULT_EXAMPLES = 200


def _examples() -> int:
    written = os.environ.get("FLOWSPEC_FUZZ_EXAMPLES", "").strip()
    if not written:
        return DEFAULT_EXAMPLES
    if not written.isdigit() or int(written) == 0:
        raise ValueError(
            f"FLOWSPEC_FUZZ_EXAMPLES must be a whole number above 0, got {written!r}; "
            "e.g. FLOWSPEC_FUZZ_EXAMPLES=20000 for a long run"
        )
    return int(written)


# Parsing is what is measured, and its first call in a process builds parser tables:
# timing examples would flag that, not a slow input.
settings.register_profile(
    FUZZ_PROFILE,
    max_examples=_examples(),
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

"""flowspec's console formatter: behave's plain output, with flowspec's errors told plainly.

behave prints a Python traceback for any step error that is not an assertion. A
``FlowspecError`` is already a diagnosis (what, where, what to do next), so its message
replaces the traceback, in the console and in the JUnit report that reads the same field.
Any other exception is a bug somewhere and keeps its traceback. A scenario a hook skipped
(an @local scenario on another backend) says why.
"""

from __future__ import annotations

from typing import Any

from behave.formatter.plain import PlainFormatter
from behave.model_type import Status

from flowspec.errors import FlowspecError


class Console(PlainFormatter):  # type: ignore[misc]  # behave ships no type hints
    """Plain steps and statuses; flowspec's own errors without a traceback."""

    name = "flowspec"
    description = "behave's plain output, with flowspec's errors as messages, not tracebacks"

    def result(self, step: Any) -> None:
        error = getattr(step, "exception", None)
        if isinstance(error, FlowspecError) and not isinstance(error, AssertionError):
            step.error_message = f"ERROR: {type(error).__name__}: {error}"
        super().result(step)

    def _finish_current_scenario(self) -> None:
        scenario = self.current_scenario
        reason = getattr(scenario, "skip_reason", None)
        if scenario is not None and scenario.status == Status.skipped and reason:
            self.stream.write(f"    skipped: {reason}\n")
        super()._finish_current_scenario()

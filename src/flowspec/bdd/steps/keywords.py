"""behave's Given, When and Then decorators, typed.

behave ships no type hints, so its decorators would make every step function untyped
under mypy --strict; these register the step exactly as behave's own do and keep the
decorated function's type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar, cast

import behave

StepFunction = TypeVar("StepFunction", bound=Callable[..., None])


class Decorator(Protocol):
    """Registers a step function and returns it unchanged."""

    def __call__(self, function: StepFunction, /) -> StepFunction: ...


def given(pattern: str) -> Decorator:
    """Register the decorated function as the Given step matching ``pattern``."""
    return cast("Decorator", behave.given(pattern))


def when(pattern: str) -> Decorator:
    """Register the decorated function as the When step matching ``pattern``."""
    return cast("Decorator", behave.when(pattern))


def then(pattern: str) -> Decorator:
    """Register the decorated function as the Then step matching ``pattern``."""
    return cast("Decorator", behave.then(pattern))

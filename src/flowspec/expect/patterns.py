"""Regular expressions a scenario writes, compiled once, with a caret when they are wrong."""

from __future__ import annotations

import re
from functools import lru_cache

from flowspec.errors import WorldError

__all__ = ["compile_regex"]


@lru_cache(maxsize=1024)
def compile_regex(pattern: str, where: str = "") -> re.Pattern[str]:
    """Compile ``pattern``; a malformed one raises a ``WorldError`` pointing at the column.

    ``where`` names what holds the pattern (``#regex marker``, ``row 3``) in the message.
    """
    try:
        return re.compile(pattern)
    except re.error as error:
        column = error.pos if error.pos is not None else len(pattern)
        reason = error.msg
    except OverflowError:
        column, reason = len(pattern), "a repeat count is above 4294967295"
    except RecursionError:
        column, reason = len(pattern), "groups are nested too deep for Python's re"
    place = f" in {where}" if where else ""
    raise WorldError(
        f"bad regular expression{place}, column {column + 1}: {reason}\n"
        f"    {pattern}\n{' ' * (column + 4)}^\n"
        "Write Python regular expressions, such as ^[a-z]+@acme\\.test$."
    )

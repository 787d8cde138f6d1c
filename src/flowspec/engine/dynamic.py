"""The dynamic values a flow reads: dotted keys, templates and their string form.

A Descope flow reads values by dotted keys such as ``user.customAttributes.plan``,
``form.email`` or ``authInfo.user.verifiedEmail`` (``descope-facts.md`` section 4).
:func:`lookup` walks those keys through the run's values; a key that leads nowhere gives
:data:`MISSING`, which is not ``None``: a JSON ``null`` that a flow stored is a value, a key
nobody set is the absence of one, and some operators tell them apart.

Condition predicates may be templates (``{{form.givenName}}``). :func:`render` resolves
them: a predicate that is exactly one template keeps the looked-up value's type, so
``{{riskInfo.riskScore}}`` compares as a number; a template inside other text is replaced
by the value's string form, :func:`text`.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

__all__ = ["MISSING", "Missing", "lookup", "render", "text"]


class Missing(enum.Enum):
    """The type of :data:`MISSING`; an enum so that copies and pickles stay the singleton."""

    MISSING = "MISSING"

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = Missing.MISSING

_LONGEST_INDEX = 18
_TEMPLATE = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")

# JavaScript prints integral floats below 1e21 without a fraction ("2", not "2.0"); the
# server and the web component agree on that form, so string comparisons must too.
_JS_PLAIN_INTEGER_LIMIT = 1e21


def lookup(values: Mapping[str, Any], key: str) -> Any:
    """Return the value at the dotted ``key`` in ``values``, or :data:`MISSING`.

    Mappings are walked by name; a segment of ASCII digits indexes a list. Anything else
    that is absent, out of range or not a container gives :data:`MISSING`.
    """
    node: Any = values
    for segment in key.split("."):
        node = _step(node, segment)
        if node is MISSING:
            return MISSING
    return node


def _step(node: Any, segment: str) -> Any:
    if isinstance(node, Mapping):
        return node.get(segment, MISSING)
    if isinstance(node, Sequence) and not isinstance(node, str | bytes) and _is_index(segment):
        index = int(segment)
        return node[index] if index < len(node) else MISSING
    return MISSING


def _is_index(segment: str) -> bool:
    # ASCII digits only ("²" is a digit int() refuses), and few enough for int(): a
    # segment of more digits than any list's length indexes nothing anyway.
    return segment.isascii() and segment.isdigit() and len(segment) <= _LONGEST_INDEX


def render(template: Any, values: Mapping[str, Any]) -> Any:
    """Resolve ``{{key}}`` templates in ``template`` against ``values``.

    A string that is exactly one template gives the looked-up value itself, type kept
    (:data:`MISSING` included); templates embedded in other text are replaced by the
    value's :func:`text` (a missing value by ""). Anything that is not a string is
    returned unchanged.
    """
    if not isinstance(template, str) or "{{" not in template:
        return template
    whole = _TEMPLATE.fullmatch(template)
    if whole is not None:
        return lookup(values, whole.group(1))
    return _TEMPLATE.sub(lambda match: text(lookup(values, match.group(1))), template)


def text(value: Any) -> str:
    """The string form Descope gives a value when it compares or prints it.

    ``None`` and :data:`MISSING` are "", booleans ``true``/``false``, numbers print as
    JavaScript prints them (``2`` for ``2.0``; "" for NaN and infinities, and for whole
    numbers too long for ``str()``, which are far beyond JavaScript's largest number), lists
    are their items' forms joined by commas; anything else is ``str()``, or "" when that
    fails on such a number inside it.
    """
    if value is None or value is MISSING:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, list | tuple):
        return ",".join(text(item) for item in value)
    try:
        return str(value)
    except ValueError:
        # int() and str() refuse more than 4300 digits; JavaScript reads such a number as
        # Infinity, whose form is "" here.
        return ""


def _float_text(value: float) -> str:
    if not math.isfinite(value):
        return ""
    if value.is_integer() and abs(value) < _JS_PLAIN_INTEGER_LIMIT:
        return str(int(value))
    return repr(value)

"""Descope's condition operators, with the coercions Descope applies.

A condition task tests dynamic values (the *target*, found by its dotted key) against
*predicates* written in the flow. This module reproduces the evaluator in Descope's web
component, ``packages/sdks/web-component/src/lib/helpers/realtime-conditions/evaluator.ts``
in the public ``descope/descope-js`` repository (read at commits ``0c18b397`` and
``7ac5c195``); that file states it mirrors the Go server's ``cutils.AnyTo*`` coercions,
and its tests (``__tests__/evaluator.test.ts``) pin the cases below. Where the evaluator
is silent the rule is marked *inferred*.

Coercions (all of them total: bad input makes an operator false, never raises):

- **string form** (:func:`flowspec.engine.dynamic.text`): ``None`` and a missing key are
  "", booleans ``true``/``false``, ``2.0`` is ``2``.
- **equal** holds when the two values are strictly the same (same kind and value; a
  boolean is never the number 1) *or* their string forms are equal. So ``1`` equals
  ``"1"``, ``True`` equals ``"true"``, ``2.0`` equals ``"2"``; ``True`` does not equal
  ``1``, ``"True"`` does not equal ``True``. **not-equal** is its exact negation.
  Lists and objects compare by value (the JavaScript original compares them by
  identity, which values decoded from JSON never share).
- **contains**: a list target holds the predicate as an item (strict: ``"1"`` is not in
  ``[1]``); a string target holds the predicate's string form as a substring; any other
  target, false. **doesnt-contains** is its negation (*inferred*: the evaluator lists the
  operator but does not implement it).
- **greater-than**, **greater-than-or-equal**, **less-than**, **less-than-or-equal**:
  both sides must be numbers: finite numbers, booleans (1 and 0) or decimal numeric
  strings (``" 2.5 "``, ``"1e3"``); anything else, including "" and a missing key, makes
  the comparison false.
- **empty**: ``None``, a missing key, "", ``[]`` and ``{}``; numbers and booleans are
  never empty. **not-empty** is its negation.
- **is-true** / **is-false**: ``True``/``False``, the exact strings ``"true"``/``"false"``
  (case matters: the evaluator accepts no other spelling) and numbers (non-zero is
  true). Anything else, a missing key included, is neither true nor false.
- **in** / **not-in**: the predicate is a list, or a string split on commas *without*
  trimming (``"a, b"`` holds ``" b"``, not ``"b"``), as the evaluator splits it. Items
  compare strictly, as in *contains*. A predicate that is neither makes both false.
  List predicates have each item rendered, so ``["{{form.role}}", "admin"]`` works.
- **matches**: a regular-expression search in a string target (Python ``re`` syntax,
  which agrees with JavaScript's for the usual patterns); a non-string target or a
  pattern that does not compile is false.
- **is-email** and **is-phone** run only on Descope's server, which validates with its
  own libraries; these are approximations: an email is ``local@domain.tld`` without
  spaces; a phone is E.164-like: an optional ``+``, then 7 to 15 digits not starting
  with 0, spaces, dots, dashes and parentheses allowed between digits.

A key missing from the context (:data:`~flowspec.engine.dynamic.MISSING`) behaves as
JavaScript's ``undefined`` does in the evaluator: ``empty`` is true and ``not-empty``
false; ``is-true``, ``is-false``, ``contains``, ``in``, ``matches`` and the numeric
comparisons are false; ``doesnt-contains`` and ``not-in`` (with a valid predicate) are
true; ``equal`` holds only against a predicate whose string form is "" (a missing key
equals ``""``, ``None`` and another missing key), and ``not-equal`` is the reverse.

Branches: :func:`choose_branch` takes the first non-``ELSE`` branch whose atomic
conditions all hold (AND, as the evaluator combines a rule's atomics by default); a
branch without conditions never holds (the evaluator's ``evaluateRule`` returns false
for an empty list); otherwise the ``ELSE`` branch, or ``None`` when there is none.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Final

from flowspec.engine.dynamic import MISSING, lookup, render, text
from flowspec.engine.model import AtomicCondition, Branch
from flowspec.errors import UnknownNameError

__all__ = ["OPERATORS", "choose_branch", "evaluate"]

_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_EMAIL = re.compile(r"[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+")
_PHONE = re.compile(r"\+?[1-9](?:[\s.()-]*\d){6,14}")
_REGEX_CACHE_SIZE = 256

Operation = Callable[[Any, Any], bool]


def _kind(value: Any) -> str:
    """A coarse type in the sense of JavaScript's ``===``: bool and number never mix."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _same(left: Any, right: Any) -> bool:
    return _kind(left) == _kind(right) and bool(left == right)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:
            return None
        return number if math.isfinite(number) else None
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def _compare(holds: Callable[[float, float], bool]) -> Operation:
    def operation(value: Any, predicate: Any) -> bool:
        left, right = _number(value), _number(predicate)
        return left is not None and right is not None and holds(left, right)

    return operation


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    return None


def _is_empty(value: Any) -> bool:
    if value is None or value is MISSING:
        return True
    if isinstance(value, str | list | tuple | Mapping):
        return len(value) == 0
    return False


def _equal(value: Any, predicate: Any) -> bool:
    return _same(value, predicate) or text(value) == text(predicate)


def _contains(value: Any, predicate: Any) -> bool:
    if isinstance(value, list | tuple):
        return any(_same(item, predicate) for item in value)
    if isinstance(value, str):
        return text(predicate) in value
    return False


def _choices(predicate: Any) -> list[Any] | None:
    if isinstance(predicate, list | tuple):
        return list(predicate)
    if isinstance(predicate, str):
        return predicate.split(",")
    return None


def _in(value: Any, predicate: Any) -> bool:
    choices = _choices(predicate)
    return choices is not None and any(_same(value, choice) for choice in choices)


def _not_in(value: Any, predicate: Any) -> bool:
    choices = _choices(predicate)
    return choices is not None and not any(_same(value, choice) for choice in choices)


@lru_cache(maxsize=_REGEX_CACHE_SIZE)
def _pattern(source: str) -> re.Pattern[str] | None:
    try:
        return re.compile(source)
    except (re.error, OverflowError, RecursionError):
        # Besides re.error: a repeat count over 4294967295, groups nested ~1000 deep.
        return None


def _matches(value: Any, predicate: Any) -> bool:
    if not isinstance(value, str):
        return False
    pattern = _pattern(text(predicate))
    return pattern is not None and pattern.search(value) is not None


def _full_match(pattern: re.Pattern[str]) -> Operation:
    def operation(value: Any, _predicate: Any) -> bool:
        return isinstance(value, str) and pattern.fullmatch(value.strip()) is not None

    return operation


_OPERATIONS: Final[Mapping[str, Operation]] = {
    "equal": _equal,
    "not-equal": lambda value, predicate: not _equal(value, predicate),
    "contains": _contains,
    "doesnt-contains": lambda value, predicate: not _contains(value, predicate),
    "greater-than": _compare(lambda left, right: left > right),
    "greater-than-or-equal": _compare(lambda left, right: left >= right),
    "less-than": _compare(lambda left, right: left < right),
    "less-than-or-equal": _compare(lambda left, right: left <= right),
    "empty": lambda value, _predicate: _is_empty(value),
    "not-empty": lambda value, _predicate: not _is_empty(value),
    "is-true": lambda value, _predicate: _boolean(value) is True,
    "is-false": lambda value, _predicate: _boolean(value) is False,
    "in": _in,
    "not-in": _not_in,
    "matches": _matches,
    "is-email": _full_match(_EMAIL),
    "is-phone": _full_match(_PHONE),
}

OPERATORS: Final[frozenset[str]] = frozenset(_OPERATIONS)


def evaluate(operator: str, value: Any, predicate: Any) -> bool:
    """Apply ``operator`` to the target ``value`` and the (rendered) ``predicate``.

    Never raises for odd values; raises :class:`~flowspec.errors.UnknownNameError` for an
    operator Descope does not have (the loader rejects those before a run).
    """
    operation = _OPERATIONS.get(operator)
    if operation is None:
        raise UnknownNameError("condition operator", operator, OPERATORS)
    return operation(value, predicate)


def _resolve(predicate: Any, values: Mapping[str, Any]) -> Any:
    # Descope resolves templates inside list predicates item by item (the evaluator's
    # "list" operands), so `in: ["{{form.role}}", "admin"]` compares against the role.
    if isinstance(predicate, list | tuple):
        return [render(item, values) for item in predicate]
    return render(predicate, values)


def _holds(condition: AtomicCondition, values: Mapping[str, Any]) -> bool:
    target = lookup(values, condition.key)
    return evaluate(condition.operator, target, _resolve(condition.predicate, values))


def choose_branch(branches: Sequence[Branch], values: Mapping[str, Any]) -> Branch | None:
    """The branch a condition task takes for ``values``; ``None`` if none holds and no ELSE."""
    for branch in branches:
        if branch.is_else or not branch.conditions:
            continue
        if all(_holds(condition, values) for condition in branch.conditions):
            return branch
    return next((branch for branch in branches if branch.is_else), None)

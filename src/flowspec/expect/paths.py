"""JSONPath expressions over the flow context: compile once, find, suggest.

Expressions use jsonpath-ng's extended syntax, so filters such as
``$.flow.path[?(@.name == "Start")]`` work. The leading ``$`` may be left out:
``user.loggedIn`` means ``$.user.loggedIn`` and ``[0]`` means ``$[0]``, because every
check reads the context from its root and a product owner writes the key names they see.

A match is named by its canonical path, ``$.user.roles[0]``: keys that are plain
identifiers follow a dot, other keys are quoted in brackets (``$['a b']``), and so are
keys jsonpath-ng's lexer would misread (``where``, ``wherenot``, and any key starting
with ``true`` or ``false``, which it reads as a boolean). A canonical path parses back
to the node it names, with one exception jsonpath-ng leaves no way around: a key that is
exactly ``*`` reads as the wildcard, quoted or not.

Three quirks of jsonpath-ng are dealt with here. An index applied to an object or a
number raises ``KeyError`` or ``TypeError`` inside jsonpath-ng; JSONPath selects nothing
there, and so does ``find``. A filter that compares values jsonpath-ng cannot compare
(``null`` with a number, say) raises ``TypeError`` and loses every other match, so
``find`` raises a ``WorldError`` naming the path rather than pretend nothing matched.
And jsonpath-ng's filter over an object rewrites that object, in the caller's document,
into a list of its values; ``compile_path`` swaps each filter for one that reads the
values without writing them back, so a check never changes the context and never has to
copy it.

Two more are refused or tamed when a path is compiled: `` `parent` `` of the root, for
which jsonpath-ng selects ``None`` and then fails, selects nothing; and ``&`` between two
paths (an intersection), which jsonpath-ng parses but cannot evaluate, is a syntax error
pointing at the ``&``. A path longer than ``LONGEST_PATH`` characters is refused too.

``select`` is the cheap form of ``find`` that checks use: it evaluates the path and
leaves naming the matches (replaying each one onto the document) until a check fails.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from difflib import SequenceMatcher
from functools import lru_cache, reduce
from typing import Any

from jsonpath_ng import (
    Child,
    DatumInContext,
    Descendants,
    Fields,
    Index,
    Intersect,
    JSONPath,
    Parent,
    Root,
    Slice,
    Union,
    Where,
)
from jsonpath_ng.exceptions import JSONPathError
from jsonpath_ng.ext.filter import Filter
from jsonpath_ng.ext.parser import ExtentedJsonPathParser
from jsonpath_ng.ext.string import DefintionInvalid

from flowspec.errors import JSONPathSyntaxError, WorldError
from flowspec.redaction import redact_text

__all__ = [
    "LONGEST_PATH",
    "Location",
    "Selection",
    "common_prefix",
    "compile_path",
    "context_of",
    "find",
    "join_path",
    "missing_reason",
    "nearest_paths",
    "render_path",
    "rooted",
    "select",
    "selects_many",
    "walk",
]

Step = str | int
Location = tuple[Step, ...]

LONGEST_PATH = 500
"""The longest expression ``compile_path`` reads, in characters. jsonpath-ng parses and
evaluates a path recursively, one level per step; a path of a thousand steps ends in a
``RecursionError``, and no path to a value of the flow context needs more than a few
dozen characters."""

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MISREAD_KEY = re.compile(r"(?:where|wherenot)$|true|false")
_BINARY = (Child, Descendants, Where, Union, Intersect)
_QUOTES = frozenset("'\"`")
# Scored on the parts after the shared prefix, a typo scores 0.8 or more, while an
# unrelated sibling key (phone against name) scores below 0.5.
_SUGGESTION_CUTOFF = 0.75

_AT_TOKEN = re.compile(r"Parse error at (\d+):(\d+) near token .* \((\S+)\)$", re.DOTALL)
_AT_CHARACTER = re.compile(r"line (\d+), col (\d+).*Unexpected character: (.)", re.DOTALL)
_NAMED_OPERATOR = re.compile(r"Unknown named operator `(.*)` at (\d+):(\d+)$", re.DOTALL)
_WORD = re.compile(r"[\w@-]+(?:\.\d+)?|\.\.|[=!<>]=|=~|.", re.DOTALL)
_ENDS_EARLY = "the path ends before it is complete (a name, index or bracket is missing)"
_QUOTED_OR_QUOTE = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`|['"`]""")


def rooted(expression: str) -> str:
    """Return ``expression`` starting at the root: ``user.loggedIn`` -> ``$.user.loggedIn``."""
    start = expression.lstrip()
    if start.startswith("$"):
        return expression
    return ("$" if start.startswith("[") else "$.") + expression


@lru_cache(maxsize=1)
def _parser() -> Any:
    """One parser per process: jsonpath-ng's ``parse`` builds a new one, and its tables,
    for every expression, which costs more than all the checks of a scenario."""
    return ExtentedJsonPathParser()


_PARSING = threading.Lock()  # the parser keeps its stacks on itself while it parses


def _parse(text: str) -> JSONPath:
    with _PARSING:
        return _parser().parse(text)


@lru_cache(maxsize=4096)
def compile_path(expression: str) -> JSONPath:
    """Parse ``expression`` once; the same text always returns the same compiled object.

    ``$``-less expressions are rooted first (see the module docstring). A malformed
    expression raises ``JSONPathSyntaxError`` whose column points into ``expression`` as
    written, so the caret lands under the offending character.
    """
    if not expression.strip():
        raise JSONPathSyntaxError(expression, 0, "the path is empty")
    if len(expression) > LONGEST_PATH:
        raise JSONPathSyntaxError(
            f"{expression[:LONGEST_PATH]}…",
            LONGEST_PATH,
            f"the path is {len(expression):,} characters long, more than the {LONGEST_PATH} "
            "a check reads; a path to any value of the flow context is far shorter",
        )
    try:
        compiled = _parse(rooted(expression))
    except (JSONPathError, DefintionInvalid, re.error) as error:
        raise _syntax_error(expression, error) from None
    return _read_only(compiled, expression)


@lru_cache(maxsize=4096)
def selects_many(expression: str) -> bool:
    """Whether ``expression`` can select several nodes: a wildcard, slice, filter, union,
    several keys or indices, or a descendant search. ``$.user.roles`` cannot; it selects
    one array."""
    return _many(compile_path(expression))


class Selection:
    """What one expression selects in one document.

    ``values`` are the matched values in document order. Where each match sits is worked
    out only when asked (``locations``, ``anchor``), because only a failing check says.
    """

    __slots__ = ("_document", "_locations", "_matches", "expression", "values")

    def __init__(self, document: Any, expression: str, matches: list[DatumInContext]) -> None:
        self._document = document
        self._matches = matches
        self._locations: list[Location | None] | None = None
        self.expression = expression
        self.values = [match.value for match in matches]

    @property
    def label(self) -> str:
        """The expression as written, rooted: how a computed or listed value is named."""
        return rooted(self.expression)

    def locations(self) -> list[Location | None]:
        """Where each match sits; ``None`` for a computed value, which sits nowhere."""
        if self._locations is None:
            self._locations = [_location(match, self._document) for match in self._matches]
        return self._locations

    def anchor(self) -> Location:
        """The node a message should show: the common parent of the matches, or the
        nearest existing ancestor of the path when nothing (locatable) matched."""
        located = [location for location in self.locations() if location is not None]
        if located:
            return common_prefix([location[:-1] for location in located])
        return _nearest_existing(compile_path(self.expression), self._document, self.expression)

    def reaches_parent(self) -> bool:
        """Whether the path exists up to its last selecting step, so that selecting
        nothing means "none there" (an empty array, a filter nobody passes) rather than a
        mistyped path."""
        return _reaches(compile_path(self.expression), self._document, self.expression)


def select(document: Any, expression: str) -> Selection:
    """Evaluate ``expression`` on ``document``; see ``Selection``."""
    return Selection(document, expression, _matches(compile_path(expression), document, expression))


def render_path(location: Location) -> str:
    """Spell a location as its canonical path: ``("user", "roles", 0)`` -> ``$.user.roles[0]``."""
    return _render(location)


def join_path(path: str, steps: Location) -> str:
    """Extend ``path`` by ``steps``, each spelled as in a canonical path."""
    return path + "".join(_segment(step) for step in steps)


def find(document: Any, expression: str) -> list[tuple[str, Any]]:
    """Return every match of ``expression`` in ``document`` as (canonical path, value).

    A computed value (`` `len` ``, `` `sub(...)` ``) has no place in the document; it is
    named by the rooted expression itself.
    """
    label = rooted(expression)
    return [
        (label if location is None else _render(location), value)
        for location, value in _locate(compile_path(expression), document, expression)
    ]


def walk(document: Any) -> Iterator[tuple[str, Any]]:
    """Yield every node of ``document``, the root first, as (canonical path, value)."""
    for location, value in _walk(document, ()):
        yield _render(location), value


def nearest_paths(document: Any, expression: str, limit: int = 3) -> list[str]:
    """Return up to ``limit`` existing paths of ``document`` that look like ``expression``.

    Paths are compared ignoring case, from the first step where they part: sharing a long
    prefix makes ``$.user.phone`` no more like ``$.user.name``, while ``$.user.loggedin``
    still suggests ``$.user.loggedIn`` and ``$.usr.email`` suggests ``$.user.email``.
    Best first; ties in document order.
    """
    wanted = rooted(expression).lower()
    scored = [(_likeness(wanted, path.lower()), path) for path, _ in walk(document)]
    ranked = sorted(
        (pair for pair in scored if pair[0] >= _SUGGESTION_CUTOFF), key=lambda pair: -pair[0]
    )
    return [path for _, path in ranked[:limit]]


def missing_reason(document: Any, expression: str) -> str:
    """``nothing there.``, with ``Did you mean ...?`` when paths of ``document`` look alike."""
    suggestions = nearest_paths(document, expression)
    return "nothing there." + (f" Did you mean {', '.join(suggestions)}?" if suggestions else "")


def context_of(document: Any, expression: str) -> tuple[str, Any]:
    """Return (canonical path, value) of the node to show around ``expression``.

    That is the parent of its match (the deepest common ancestor of its matches' parents
    when it has several), or, when it matches nothing, its nearest ancestor that exists:
    at worst the root.
    """
    shown = select(document, expression).anchor()
    return _render(shown), reduce(lambda parent, step: parent[step], shown, document)


class _ReadOnlyFilter(Filter):  # type: ignore[misc]  # jsonpath-ng ships no type hints
    """A filter that reads an object's values without writing the list back into it."""

    def find(self, datum: Any) -> Any:
        datum = DatumInContext.wrap(datum)
        if isinstance(datum.value, dict):
            # A stand-in at the same place, already holding a list, so jsonpath-ng has
            # nothing to assign; matches still replay onto the object (see _key).
            datum = DatumInContext(
                list(datum.value.values()), path=datum.path, context=datum.context
            )
        return super().find(datum)


class _ParentOrNothing(Parent):  # type: ignore[misc]  # jsonpath-ng ships no type hints
    """`` `parent` ``, selecting nothing at the root, where jsonpath-ng's selects None."""

    def find(self, datum: Any) -> Any:
        datum = DatumInContext.wrap(datum)
        return [] if datum.context is None else [datum.context]


def _read_only(node: Any, written: str) -> Any:
    """``node`` with each filter read-only and each `` `parent` `` safe at the root;
    ``written`` is the expression, for the error an intersection (``&``) raises, which
    jsonpath-ng parses but cannot evaluate."""
    if isinstance(node, Intersect):
        column = written.find("&")
        raise JSONPathSyntaxError(
            written,
            column if column >= 0 else len(written),
            "jsonpath-ng cannot evaluate `&` between two paths; in a filter, `&` joins "
            "comparisons, as in [?(@.a == 1 & @.b == 2)]",
        )
    if isinstance(node, Parent):
        return _ParentOrNothing()
    if isinstance(node, Filter):
        node = _ReadOnlyFilter(node.expressions)
        for expression in node.expressions:
            expression.target = _read_only(expression.target, written)
        return node
    for side in ("left", "right"):
        if isinstance(getattr(node, side, None), JSONPath):
            setattr(node, side, _read_only(getattr(node, side), written))
    return node


def _many(node: JSONPath) -> bool:
    if isinstance(node, Child):
        return _many(node.left) or _many(node.right)
    if isinstance(node, Fields):
        return len(node.fields) != 1 or node.fields[0] == "*"
    if isinstance(node, Index):
        return len(node.indices) != 1
    return isinstance(node, Slice | Filter | Descendants | Where | Union | Intersect)


def _nearest_existing(node: JSONPath, document: Any, expression: str) -> Location:
    while True:
        node = node.left if isinstance(node, _BINARY) else Root()
        located = [loc for loc, _ in _locate(node, document, expression) if loc is not None]
        if located:
            return located[0]


def _reaches(node: JSONPath, document: Any, expression: str) -> bool:
    if not isinstance(node, _BINARY):
        return True
    if _matches(node.left, document, expression):
        return True
    return _many(node.left) and _reaches(node.left, document, expression)


def _locate(
    compiled: JSONPath, document: Any, expression: str
) -> list[tuple[Location | None, Any]]:
    return [
        (_location(match, document), match.value)
        for match in _matches(compiled, document, expression)
    ]


def _matches(compiled: JSONPath, document: Any, expression: str) -> list[DatumInContext]:
    try:
        return _evaluate(compiled, document)
    except (KeyError, TypeError) as error:
        # jsonpath-ng's comparison and int() errors name types, never values, so the
        # message cannot carry a token from the document.
        raise WorldError(
            f"{rooted(expression)}: jsonpath-ng cannot evaluate this path on the flow context "
            f"({type(error).__name__}: {error}). A filter that compares unlike values, such "
            "as null or a string with a number, is the usual cause; compare like with like."
        ) from None
    except ValueError as error:
        # A named operator refusing a value: `str()` of a number of over 4300 digits. The
        # message may quote the value, so a JWT in it is redacted.
        raise WorldError(
            f"{rooted(expression)}: jsonpath-ng cannot evaluate this path on the flow context "
            f"({type(error).__name__}: {redact_text(str(error).split(';', 1)[0])})."
        ) from None
    except re.error as error:
        raise _syntax_error(expression, error) from None


def _evaluate(node: JSONPath, datum: Any) -> list[DatumInContext]:
    """Find like jsonpath-ng, but let an index into a non-array select nothing.

    jsonpath-ng raises KeyError or TypeError for ``[0]`` on an object or a number, and so
    loses every other match; JSONPath selects nothing there. On such an error the path is
    evaluated again one step at a time, skipping the nodes an index cannot apply to.
    """
    try:
        return list(node.find(datum))
    except (KeyError, TypeError):
        if not isinstance(node, Child):
            raise
    return [
        match for parent in _evaluate(node.left, datum) for match in _select(node.right, parent)
    ]


def _select(step: JSONPath, parent: DatumInContext) -> list[DatumInContext]:
    try:
        return list(step.find(parent))
    except (KeyError, TypeError):
        if isinstance(step, Index | Slice):
            return []
        raise


def _location(match: DatumInContext, document: Any) -> Location | None:
    """Replay the match's steps on the document, so the path names real keys and indices."""
    steps: list[JSONPath] = []
    datum = match
    while datum is not None:
        steps.append(datum.path)
        datum = datum.context
    steps.reverse()
    if not isinstance(steps[0], Root):
        return None
    location: list[Step] = []
    node = document
    for step in steps[1:]:
        key = _key(node, step)
        if key is None:
            return None
        location.append(key)
        node = node[key]
    # jsonpath-ng wraps a scalar or object in a one-item list for [*]; such a match
    # replays onto a different node and has no place of its own. Identity first: NaN
    # equals nothing, itself included.
    return tuple(location) if node is match.value or node == match.value else None


def _key(node: Any, step: JSONPath) -> Step | None:
    if isinstance(step, Fields) and len(step.fields) == 1:
        field: str = step.fields[0]
        return field if isinstance(node, dict) and field in node else None
    if isinstance(step, Index) and len(step.indices) == 1:
        index: int = step.indices[0]
        if isinstance(node, list) and -len(node) <= index < len(node):
            return index % len(node)
        # Filters and slices over an object number its values in key order.
        if isinstance(node, dict) and 0 <= index < len(node):
            key: str = list(node)[index]
            return key
    return None


def common_prefix(locations: list[Location]) -> Location:
    """The deepest location every one of ``locations`` lies in (the root, at worst)."""
    prefix: list[Step] = []
    for steps in zip(*locations, strict=False):
        if any(step != steps[0] for step in steps):
            break
        prefix.append(steps[0])
    return tuple(prefix)


def _walk(node: Any, location: Location) -> Iterator[tuple[Location, Any]]:
    yield location, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*location, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*location, index))


def _likeness(wanted: str, path: str) -> float:
    shared = next(
        (index for index, (a, b) in enumerate(zip(wanted, path, strict=False)) if a != b),
        min(len(wanted), len(path)),
    )
    parted = max(wanted.rfind(".", 0, shared), wanted.rfind("[", 0, shared)) + 1
    return SequenceMatcher(None, wanted[parted:], path[parted:]).ratio()


def _render(location: Location) -> str:
    return "$" + "".join(_segment(step) for step in location)


def _segment(step: Step) -> str:
    if isinstance(step, int):
        return f"[{step}]"
    if _PLAIN_KEY.fullmatch(step) and not _MISREAD_KEY.match(step):
        return f".{step}"
    escaped = step.replace("\\", "\\\\").replace("'", "\\'")
    return f"['{escaped}']"


def _syntax_error(expression: str, error: Exception) -> JSONPathSyntaxError:
    full = rooted(expression)
    column, reason = _diagnose(full, error)
    shift = len(full) - len(expression)
    return JSONPathSyntaxError(expression, max(column - shift, 0), reason)


def _diagnose(expression: str, error: Exception) -> tuple[int, str]:
    """Map a jsonpath-ng (or re) error to a 0-based column of ``expression`` and a reason."""
    message = str(error)
    if isinstance(error, re.error):
        return _regex_column(expression, error), f"bad regular expression: {error.msg}"
    if isinstance(error, DefintionInvalid):
        operator = message.removesuffix(" is not valid")
        return _backquote_before(expression, expression.find(operator)), (
            f"malformed operator `{operator}`"
        )
    if found := _AT_TOKEN.match(message):
        column = _offset(expression, int(found[1]), int(found[2]))
        return _unexpected_token(expression, column, found[3])
    if found := _AT_CHARACTER.search(message):
        column = _offset(expression, int(found[1]), int(found[2]))
        return column, (
            f"unexpected character {found[3]!r}; a key holding it must be quoted, as in ['a b']"
        )
    if found := _NAMED_OPERATOR.match(message):
        end = _offset(expression, int(found[2]), int(found[3]))
        return _backquote_before(expression, end), f"unknown operator `{found[1]}`"
    if message.startswith("Unexpected EOF in string"):
        return _unclosed_quote(expression), "this quote is never closed"
    return len(expression), _ENDS_EARLY


def _unexpected_token(expression: str, column: int, kind: str) -> tuple[int, str]:
    if expression[column : column + 1] in _QUOTES:
        # A quoted key is reported at its closing quote; point at the opening one.
        opening = expression.rfind(expression[column], 0, column)
        return opening, f"unexpected {expression[opening : column + 1]}"
    word = _WORD.match(expression, column)
    text = word.group() if word else ""
    if kind in ("WHERE", "WHERENOT"):
        return column, f"{text!r} is a reserved word here; if it is a key, quote it: ['{text}']"
    if kind == "BOOL":
        return column, f"{text!r} reads as a boolean here; if it is a key, quote it: ['{text}']"
    return column, f"unexpected {text!r}"


def _offset(expression: str, line: int, column: int) -> int:
    """Turn jsonpath-ng's line and column (counted from the line's newline) into an offset."""
    starts = [0] + [index for index, char in enumerate(expression) if char == "\n"]
    return starts[line - 1] + column if line <= len(starts) else len(expression)


def _backquote_before(expression: str, position: int) -> int:
    opening = expression.rfind("`", 0, max(position, 0))
    return opening if opening >= 0 else len(expression)


def _regex_column(expression: str, error: re.error) -> int:
    pattern = error.pattern if isinstance(error.pattern, str) else ""
    # The pattern sits between quotes in a filter and between slashes in `sub(...)`.
    for delimiter in "\"'/":
        start = expression.find(f"{delimiter}{pattern}{delimiter}")
        if start >= 0:
            return start + 1 + (error.pos or 0)
    return len(expression)


def _unclosed_quote(expression: str) -> int:
    for found in _QUOTED_OR_QUOTE.finditer(expression):
        if len(found.group()) == 1:
            return found.start()
    return len(expression)

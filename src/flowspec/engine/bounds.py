"""Bounds on what a flow file or a doc string may ask of the parsers.

A document is refused, with the line and column where it goes too far, when

- it nests arrays and objects (YAML sequences and mappings) more than
  :data:`MAX_NESTING` levels deep. Descope's exports nest about 10 levels and the
  shorthand about 8; Python's parsers recurse once per level, so a document thousands
  of levels deep ends in a ``RecursionError``, and libyaml's composer in a crash of the
  interpreter itself;
- its YAML aliases (``*name``) repeat more than :data:`MAX_ALIAS_NODES` nodes in all,
  counting each alias as the size of the node it names. A "billion laughs" document of
  a few hundred bytes, ten anchors each naming ten aliases of the one before, stands for
  ten billion nodes: PyYAML builds it quickly, sharing the repeats, but anything that
  walks it (a message, a copy, a JSON dump) would never end. An alias inside the node it
  names (``&a [*a]``) makes an endless document and is refused too.

:func:`load_yaml` scans the YAML events for both bounds before anything is built, then
loads with :class:`SafeLoader`, a safe loader (plain data only) whose scalars never raise
a bare ``ValueError``: PyYAML's own constructors do for ``2001-02-30``, ``!!int abc`` or
a number of over 4300 digits. Every problem is a ``yaml.MarkedYAMLError``, which callers
already turn into their own errors with the line and column. :func:`too_deep` applies
the nesting bound to a decoded JSON value. :func:`read_yaml_file` reads the test world's
other YAML files (``users.yaml``, ``project.yaml``, Examples files) within the same
bounds and :data:`MAX_YAML_FILE_BYTES`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from pathlib import Path
from typing import Any, Final

import yaml
from yaml.constructor import ConstructorError

from flowspec.errors import SettingsError

try:
    from yaml import CSafeLoader as _Base
except ImportError:  # PyYAML without libyaml: the pure-Python parser is slower, same result
    from yaml import SafeLoader as _Base  # type: ignore[assignment]  # the same API in Python

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_NESTING",
    "MAX_YAML_FILE_BYTES",
    "BoundExceeded",
    "SafeLoader",
    "load_yaml",
    "read_yaml_file",
    "reason",
    "too_deep",
]

MAX_NESTING: Final = 100
MAX_ALIAS_NODES: Final = 100_000
#: The largest users.yaml, project.yaml or Examples file read: some thousands of users,
#: where a world holds tens; a mistaken path (a log, a dump) is refused unread.
MAX_YAML_FILE_BYTES: Final = 1024 * 1024

_SCALAR_ERRORS: Final = (ValueError, TypeError, KeyError, IndexError, AttributeError)
_SHOWN_SCALAR = 40


class BoundExceeded(yaml.MarkedYAMLError):
    """A YAML document nests too deep or its aliases repeat too much; ``fix`` says what
    to write instead."""

    def __init__(self, problem: str, mark: Any, fix: str) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.fix = fix


class SafeLoader(_Base):
    """A safe loader whose malformed scalars raise ``ConstructorError`` with their mark."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except _SCALAR_ERRORS as error:
            shown = str(node.value) if isinstance(node, yaml.ScalarNode) else node.tag
            if len(shown) > _SHOWN_SCALAR:
                shown = f"{shown[: _SHOWN_SCALAR - 1]}… ({len(shown)} characters)"
            raise ConstructorError(
                None,
                None,
                f"the value {shown!r} cannot be read as {node.tag.rpartition(':')[2]} "
                f"({type(error).__name__}: {reason(error)}); quote it to keep it as text",
                node.start_mark,
            ) from None


def reason(error: Exception) -> str:
    """The message of ``error`` without the advice Python's ``int()`` adds for
    programmers ("use sys.set_int_max_str_digits() to increase the limit")."""
    return str(error).split(";", 1)[0]


def load_yaml(text: str, loader: type[SafeLoader] = SafeLoader) -> Any:
    """Check ``text`` against the bounds, then load it with ``loader``.

    Raises ``yaml.YAMLError`` (:class:`BoundExceeded` for a bound) for any problem.
    """
    # libyaml reads exact strings only; behave hands doc strings over as a str subclass.
    text = str(text)
    _check_events(text, loader)
    # loader derives from SafeLoader: plain data only, never arbitrary objects.
    return yaml.load(text, Loader=loader)


def read_yaml_file(path: Path) -> Any:
    """The YAML document in ``path``, read within the bounds.

    Raises ``OSError`` when the file cannot be read, and :class:`SettingsError` naming
    the file, with the line and what to do, when it is too large, not YAML or beyond a
    bound.
    """
    with path.open("rb") as file:
        # One byte past the limit: a file that grew since, or a device that never ends,
        # is refused all the same.
        data = file.read(MAX_YAML_FILE_BYTES + 1)
    if len(data) > MAX_YAML_FILE_BYTES:
        raise SettingsError(
            f"{path} is over {MAX_YAML_FILE_BYTES // 1024} KiB, more than a test world's "
            "YAML file holds; check that the path names the file you meant"
        )
    try:
        return load_yaml(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise SettingsError(
            f"{path} is not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from None
    except BoundExceeded as error:
        raise SettingsError(f"{path}: {error}. {error.fix}") from None
    except yaml.YAMLError as error:
        raise SettingsError(f"{path}: not valid YAML: {error}") from None


def too_deep(value: Any) -> tuple[Hashable, ...] | None:
    """The keys and indices leading to the first array or object of ``value`` that lies
    deeper than :data:`MAX_NESTING` levels, or ``None`` when none does."""
    stack: list[tuple[tuple[Hashable, ...], Any]] = [((), value)]
    while stack:
        steps, node = stack.pop()
        if isinstance(node, dict):
            children = list(node.items())
        elif isinstance(node, list):
            children = list(enumerate(node))
        else:
            continue
        if len(steps) >= MAX_NESTING:
            return steps
        stack.extend(((*steps, key), child) for key, child in reversed(children))
    return None


def _too_deep(mark: Any) -> BoundExceeded:
    return BoundExceeded(
        f"the document nests lists and mappings more than {MAX_NESTING} levels deep",
        mark,
        "Flatten it: a flow or a doc string needs about 10 levels",
    )


def _events(text: str, loader: type[SafeLoader]) -> Iterator[yaml.Event]:
    """The parser's events. libyaml from PyYAML 6.0.4 on refuses 1,000 levels of nesting
    itself, reading ahead of the events on a line; that refusal is this bound's too."""
    try:
        yield from yaml.parse(text, Loader=loader)
    except yaml.MarkedYAMLError as error:
        if "maximum nesting depth" in str(error.problem):
            raise _too_deep(error.problem_mark) from None
        raise


def _check_events(text: str, loader: type[SafeLoader]) -> None:
    """Walk the parser's events, which libyaml produces without recursion, and stop at
    the first that goes past a bound."""
    # For each open collection (the stream itself first): its anchor and node count.
    anchors: list[str | None] = [None]
    counts: list[int] = [0]
    sizes: dict[str, int] = {}
    repeated = 0
    for event in _events(text, loader):
        if isinstance(event, yaml.CollectionStartEvent):
            if len(anchors) > MAX_NESTING:
                raise _too_deep(event.start_mark)
            anchors.append(event.anchor)
            counts.append(1)
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, count = anchors.pop(), counts.pop()
            if anchor is not None:
                sizes[anchor] = count
            counts[-1] += count
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                sizes[event.anchor] = 1
            counts[-1] += 1
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in anchors:
                raise BoundExceeded(
                    f"the alias *{event.anchor} stands inside the node &{event.anchor} it "
                    "repeats, which makes the document endless",
                    event.start_mark,
                    "Repeat a node only after it ends",
                )
            size = sizes.get(event.anchor or "", 1)
            repeated += size
            if repeated > MAX_ALIAS_NODES:
                raise BoundExceeded(
                    f"the aliases repeat more than {MAX_ALIAS_NODES:,} nodes in all (a "
                    '"billion laughs" document?)',
                    event.start_mark,
                    "Write the repeated parts out, or use fewer aliases",
                )
            counts[-1] += size

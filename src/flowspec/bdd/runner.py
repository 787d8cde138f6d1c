"""behave's runner, cheaper per step: ``runner = "flowspec.bdd.runner:Runner"``.

behave notes, for every attribute set on its context, where it was set, so that a later
warning about one layer masking another can name the place. It takes that note with
``traceback.extract_stack``, which also reads the source line of each frame and checks
the file's modification time on disk: behave sets ``context.table`` and ``context.text``
before every step, so a suite of 12,000 steps pays some 24,000 file checks, about a
fifth of behave's own time per step. The note is taken here from the caller's frame
without reading the file; the source line is read only if a warning ever shows it.
Warnings, layers and values are behave's own, unchanged.

Finding a step's definition takes behave a try of every definition of its kind, in
order, and the location of the function found is worked out anew each time: with
flowspec's step library, some 20 µs a step. The same text always finds the same
definition, so the runner remembers, per kind and text, the definition and the first
match. Where the pattern's parameters are plain text or flowspec's own types, which
keep the matched text as it is, the same text also gives the same arguments, and later
steps get that match itself; a pattern with any other type converter (a project's own
``register_type``) has its arguments converted anew for each step, as behave does.

And before the features run, everything alive (the parsed features, the step registry,
the imported modules) is moved out of the garbage collector's sight with ``gc.freeze``: it
all lives to the end of the run, yet each full collection would walk it again, and a
suite's full collections grow with it. So, after each feature, does what survived it
(its results, the reports' model of it), once a collection has taken its garbage. A
10,000-scenario run spent 1.5 s in full collections; frozen before the features, 0.59 s;
frozen after each feature too, 0.23 s. For the same reason no full collection runs while
behave loads the steps and parses the features (the young generations are collected as
ever): the parsed suite grows all along, each full collection walked all of it again, and
it is all frozen once parsed. Parsing 10,000 scenarios took 0.8 s with them, 0.6 s without.
The run unfreezes all it froze as it ends, and freezes everything again as the process
exits, so Python's last collections do not walk it: a 10,000-scenario process took 0.5 s
to exit, now 0.1 s.

A report that cannot be written (a folder where ``index.html`` goes, a full disk) makes
flowspec's reports formatter raise a ``ReportError`` as behave closes it, which behave
would end in a traceback, leaving the formatters after it unclosed and its summary
unprinted. The runner says it in one line instead, closes the others, and fails the run.
"""

from __future__ import annotations

import atexit
import functools
import gc
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from behave.matchers import Match
from behave.runner import Context as BehaveContext
from behave.runner import Runner as BehaveRunner
from behave.runner import the_step_registry

from flowspec.bdd.types import TEXT_TYPES
from flowspec.errors import ReportError

# A full collection's threshold no suite reaches: none runs while behave parses.
_NO_FULL_COLLECTION = 1 << 30


class Context(BehaveContext):  # type: ignore[misc]
    """behave's context; only where an attribute was set is noted differently."""

    def __setattr__(self, attr: str, value: Any) -> None:
        if attr.startswith("_"):
            self.__dict__[attr] = value
            return
        # A value set on the current layer hides the same name on the layers below it.
        for layer in self._stack[1:]:
            if attr in layer:
                self._warn_masking(attr)
        caller = sys._getframe(1)
        self._record[attr] = traceback.FrameSummary(
            caller.f_code.co_filename, caller.f_lineno, caller.f_code.co_name, lookup_line=False
        )
        self._stack[0][attr] = value
        self._origin.setdefault(attr, self._mode)

    def _warn_masking(self, attr: str) -> None:
        # behave's record reads as (file, line, function, source line), and its warning
        # names the source line where it says "function"; so does this one.
        filename, line, _, source = self._record[attr]
        params = {"attr": attr, "filename": filename, "line": line, "function": source}
        self._emit_warning(attr, params)


class StepDefinitions:
    """behave's step registry, remembering which definition each step text found.

    A text is looked up as behave does, in the definitions of its kind and then the
    generic ``step`` ones, taking the first that matches. What it finds cannot change
    during a run: a definition added later goes after the others (and behave refuses
    one that an earlier definition already matches).
    """

    def __init__(self, registry: Any) -> None:
        self._registry = registry
        # Per kind and text: the definition, the first match, and whether that match
        # serves every later step as it is (its arguments cannot come out otherwise).
        self._found: dict[tuple[str, str], tuple[Any, Match, bool]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._registry, name)

    def find_match(self, step: Any) -> Any:
        key = (step.step_type, step.name)
        found = self._found.get(key)
        if found is not None:
            definition, first, as_it_is = found
            if as_it_is:
                return first
            try:
                return first.with_arguments(definition.check_match(step.name))
            except Exception:
                # A type converter that fails this time: behave's own answer says so.
                return definition.match(step.name)
        steps = self._registry.steps
        generic = steps["step"] if step.step_type != "step" else []
        for definition in [*steps[step.step_type], *generic]:
            match = definition.match(step.name)
            if match:
                # A failed type conversion (MatchWithError) is not remembered: behave
                # says it anew.
                if type(match) is Match:
                    self._found[key] = (definition, match, _keeps_text(definition))
                return match
        return None


@functools.cache
def _freeze_at_exit() -> None:
    """Freeze everything when the process ends, once registered.

    Python's last collections at exit would walk all a run left alive (the parsed suite,
    its results), to free what the process gives back whole anyway: 0.4 s at 10,000
    scenarios. The run unfreezes what it froze, for a caller that goes on in the same
    process; exiting, the collections skip it all (flowspec's command does the same)."""
    atexit.register(gc.freeze)


def _closing(close: Callable[[], None], unwritten: list[ReportError]) -> Callable[[], None]:
    """A formatter's ``close`` that, when a report cannot be written, says so in one line
    and notes it (the run then fails), instead of ending behave in a traceback that
    leaves the other formatters unclosed and the summary unprinted."""

    def closing() -> None:
        try:
            close()
        except ReportError as error:
            unwritten.append(error)
            sys.stderr.write(f"flowspec: {error}\n")

    return closing


def _keeps_text(definition: Any) -> bool:
    """Whether every parameter of ``definition`` is the matched text as it is: untyped,
    or of a type flowspec registers. Other converters may give another value, or a
    mutable one, for the same text."""
    parser = getattr(definition, "parser", None)
    conversions = getattr(parser, "_type_conversions", None)
    if not isinstance(conversions, dict):
        return False
    return all(
        getattr(conversion, "converter", None) in TEXT_TYPES for conversion in conversions.values()
    )


class Runner(BehaveRunner):  # type: ignore[misc]
    """behave's runner, whose context is :class:`Context`, whose steps find their
    definitions through :class:`StepDefinitions`, and which runs the features with what
    was alive before them, and what survives each, frozen."""

    step_registry: Any

    def run_with_paths(self) -> Any:
        # The world read before the first feature makes a signing key, unless it gives
        # one: made ahead on another core, it is ready by then (see make_key_ahead).
        from flowspec.bdd.scenario import world_loaded
        from flowspec.identity.keys import make_key_ahead

        if not world_loaded():
            make_key_ahead()
        young, middle, full = gc.get_threshold()
        self._full_collections = full
        gc.set_threshold(young, middle, _NO_FULL_COLLECTION)
        try:
            return super().run_with_paths()
        finally:
            self._restore_full_collections()

    def run_model(self, features: Any = None) -> Any:
        # The registry behave's own runner takes, and the one the step decorators that
        # step modules import fill: behave replaces behave.step_registry.registry with
        # an empty one before each run, after those decorators were made.
        if self.step_registry is None:
            self.step_registry = StepDefinitions(the_step_registry)
        if features is None:
            features = self.features
        unwritten: list[ReportError] = []
        for formatter in getattr(self, "formatters", None) or ():
            formatter.close = _closing(formatter.close, unwritten)
        gc.freeze()
        self._restore_full_collections()
        try:
            failed: bool = super().run_model(self.frozen_after_each(features))
        finally:
            gc.unfreeze()
            _freeze_at_exit()
        return failed or bool(unwritten)

    def _restore_full_collections(self) -> None:
        """Let full collections run again, as often as before ``run_with_paths``."""
        full = self.__dict__.pop("_full_collections", None)
        if full is not None:
            young, middle, _ = gc.get_threshold()
            gc.set_threshold(young, middle, full)

    def frozen_after_each(self, features: Iterable[Any]) -> Iterator[Any]:
        """Each of ``features``; after each has run, the garbage it left is collected and
        what survives it frozen, so a collection walks only what the next feature makes.

        behave catches a Ctrl-C only while a feature runs; one that lands in the collection
        between two features stops the run as behave would, so the formatters still write
        what ran."""
        for feature in features:
            yield feature
            if self.aborted:
                continue
            try:
                gc.collect()
                gc.freeze()
            except KeyboardInterrupt:
                self.abort(reason="KeyboardInterrupt")

    @property
    def context(self) -> Any:
        return self.__dict__.get("context")

    @context.setter
    def context(self, value: Any) -> None:
        # behave makes its own Context in several places; each is given this class's
        # behaviour, the object itself (and all behave keeps on it) staying the same.
        # behave's __setattr__ would keep "__class__" as a plain attribute instead.
        if type(value) is BehaveContext:
            object.__setattr__(value, "__class__", Context)
        self.__dict__["context"] = value

"""Gherkin doc strings read as data: JSON or YAML, with errors that say what to write.

A doc string is read as YAML within the bounds of :mod:`flowspec.engine.bounds`: nesting
deeper than 100 levels, aliases that repeat more than 100,000 nodes and scalars that do
not read as their type (``2024-02-30``, ``!!int abc``) are errors, never a crash.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from flowspec.engine.bounds import BoundExceeded, load_yaml
from flowspec.errors import SettingsError


def parse_doc_string(text: str | None, what: str) -> Any:
    """The value the doc string holds (YAML, so JSON too); an empty one is None."""
    try:
        return load_yaml(text or "")
    except BoundExceeded as exc:
        raise SettingsError(f"the {what} doc string cannot be read: {exc}. {exc.fix}") from None
    except yaml.YAMLError as exc:
        raise SettingsError(f"the {what} doc string is not JSON or YAML: {exc}") from None


def parse_object(text: str | None, what: str, example: str) -> dict[str, Any]:
    """The object the doc string holds; anything else is an error showing ``example``."""
    value = parse_doc_string(text, what)
    if not isinstance(value, dict):
        # default=str: YAML also reads dates, sets and bytes, which JSON cannot write.
        raise SettingsError(
            f"the {what} doc string must be an object, got {json.dumps(value, default=str)}; "
            f"write e.g. {example}"
        )
    return value

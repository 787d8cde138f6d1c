"""Gherkin doc strings read as data: JSON or YAML, with errors that say what to write."""

from __future__ import annotations

import json
from typing import Any

import yaml

from flowspec.errors import SettingsError


def parse_doc_string(text: str | None, what: str) -> Any:
    """The value the doc string holds (YAML, so JSON too); an empty one is None."""
    try:
        return yaml.safe_load(text or "")
    except yaml.YAMLError as exc:
        raise SettingsError(f"the {what} doc string is not JSON or YAML: {exc}") from None


def parse_object(text: str | None, what: str, example: str) -> dict[str, Any]:
    """The object the doc string holds; anything else is an error showing ``example``."""
    value = parse_doc_string(text, what)
    if not isinstance(value, dict):
        raise SettingsError(
            f"the {what} doc string must be an object, got {json.dumps(value)}; "
            f"write e.g. {example}"
        )
    return value

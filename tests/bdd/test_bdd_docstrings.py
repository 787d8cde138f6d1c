"""Doc strings read as JSON or YAML, with errors that say what to write."""

from __future__ import annotations

import pytest

from flowspec.bdd.docstrings import parse_doc_string, parse_object
from flowspec.errors import SettingsError


def test_json_and_yaml_doc_strings_read_the_same() -> None:
    """A JSON doc string and its YAML twin give the same value."""
    assert parse_doc_string('{"su": true, "amr": ["totp"]}', "claims") == parse_doc_string(
        "su: true\namr: [totp]", "claims"
    )


def test_a_malformed_doc_string_names_what_it_was_for() -> None:
    """A doc string that is not YAML fails naming its purpose."""
    with pytest.raises(SettingsError, match="the claims doc string is not JSON or YAML"):
        parse_doc_string("{su: [", "claims")


def test_an_object_is_required_where_one_is_expected() -> None:
    """A list where an object is needed fails showing what was there and an example."""
    with pytest.raises(SettingsError, match=r'got \["a"\]; write e.g. \{"ok": true\}'):
        parse_object('["a"]', "response", '{"ok": true}')

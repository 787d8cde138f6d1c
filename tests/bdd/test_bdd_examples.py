"""Scenario Outline Examples read from CSV and YAML files, and clear errors when they can't be."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from behave.parser import parse_feature

from flowspec.bdd.examples import load_examples
from flowspec.errors import SettingsError

OUTLINE = """
Feature: data-driven
  Scenario Outline: greet <name>
    Given a person called "<name>" aged <age>

    @from:{source}
    Examples: from a file
{header}
"""


def outline(source: str, header: str = "      | name | age |") -> object:
    text = OUTLINE.format(source=source, header=header)
    return parse_feature(textwrap.dedent(text), filename="data.feature")


def rows_of(feature) -> list[list[str]]:
    examples = next(feature.iter_scenario_outlines()).examples[0]
    return [list(row.cells) for row in examples.table.rows]


def scenario_names(feature) -> list[str]:
    return [s.name for s in next(feature.iter_scenario_outlines()).scenarios]


def test_a_csv_file_fills_the_examples_and_the_scenarios(tmp_path: Path) -> None:
    """Every CSV row becomes an example row, and the outline expands to one scenario each."""
    (tmp_path / "people.csv").write_text("name,age,city\nAda,36,London\nBob,41,Paris\n")
    feature = outline("people.csv")
    load_examples(feature, tmp_path)
    assert rows_of(feature) == [["Ada", "36"], ["Bob", "41"]]
    assert [n.split(" -- ")[0] for n in scenario_names(feature)] == ["greet Ada", "greet Bob"]


def test_a_yaml_file_fills_the_examples_as_text(tmp_path: Path) -> None:
    """YAML mappings become rows of text; booleans and nulls are written as Gherkin reads them."""
    (tmp_path / "people.yaml").write_text(
        "- {name: Ada, age: 36, admin: true}\n- {name: Bob, age: null}\n"
    )
    feature = outline("people.yaml", header="      | name | age | admin |")
    with pytest.raises(SettingsError, match=r"row 2 lacks \['admin'\]"):
        load_examples(feature, tmp_path)
    (tmp_path / "people.yaml").write_text(
        "- {name: Ada, age: 36, admin: true}\n- {name: Bob, age: null, admin: false}\n"
    )
    load_examples(feature, tmp_path)
    assert rows_of(feature) == [["Ada", "36", "true"], ["Bob", "", "false"]]


def test_without_a_header_row_the_files_columns_are_used(tmp_path: Path) -> None:
    """An Examples block with no table takes every column of the file, in file order."""
    (tmp_path / "people.csv").write_text("age,name\n36,Ada\n")
    feature = outline("people.csv", header="")
    load_examples(feature, tmp_path)
    examples = next(feature.iter_scenario_outlines()).examples[0]
    assert list(examples.table.headings) == ["age", "name"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "cannot read the examples file"),
        ("people.txt", "name,age\n", "from a .csv or .yaml file"),
        ("people.yaml", "name: Ada\n", "expected at least one row"),
        ("people.yaml", "- [Ada, 36]\n", "expected at least one row"),
        ("people.csv", "name,age\n", "expected at least one row"),
        ("people.yaml", "- {name: Ada\n", "not valid YAML"),
        ("people.yaml", "- " + "[" * 101 + "]" * 101 + "\n", "more than 100 levels deep"),
        ("people.yaml", "- &a {name: Ada}\n- *a\n- !!int x\n", "cannot be read as int"),
    ],
    ids=[
        "missing",
        "wrong-suffix",
        "yaml-mapping",
        "yaml-list-of-lists",
        "csv-header-only",
        "bad-yaml",
        "yaml-nested-too-deep",
        "yaml-unreadable-scalar",
    ],
)
def test_a_bad_examples_file_is_named_with_the_fix(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    """A missing, empty or malformed file fails with the feature line and what is expected."""
    if content is not None:
        (tmp_path / name).write_text(content)
    with pytest.raises(SettingsError, match=message):
        load_examples(outline(name), tmp_path)


def test_examples_without_the_tag_are_left_alone(tmp_path: Path) -> None:
    """An ordinary Examples table is not touched."""
    feature = parse_feature(
        textwrap.dedent(
            """
            Feature: plain
              Scenario Outline: greet <name>
                Given a person called "<name>"
                Examples:
                  | name |
                  | Ada  |
            """
        )
    )
    load_examples(feature, tmp_path)
    assert rows_of(feature) == [["Ada"]]


def test_a_column_the_file_lacks_is_named(tmp_path: Path) -> None:
    """A header naming a column the file does not have says which columns it has."""
    (tmp_path / "people.csv").write_text("name\nAda\n")
    with pytest.raises(SettingsError, match=r"columns \['age'\].*\['name'\]"):
        load_examples(outline("people.csv"), tmp_path)

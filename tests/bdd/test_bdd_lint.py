"""flowspec lint on a copy of the project: each defect is one line at its file and line."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from flowspec.bdd.catalog import load_catalog
from flowspec.bdd.lint import NAMED, SENT_INPUT
from flowspec.cli import main

ROOT = Path(__file__).resolve().parents[2]

LACKING = """\
Feature: names the world lacks

  Scenario: an unknown user and flow
    Given a JWT for "ada@acme.tst"
    When I run the "step-upp" flow
    And I click "Anything"

  Scenario: screens and buttons are looked for in the flows the scenario runs
    Given a JWT for "ada@acme.test"
    When I run the "step-up" flow
    Then the flow waits on the "Verify TOTPP" screen
    When I click "Impersonate"
    And I click "verify"
    And I click "set-up-now"
    And I click "Passkey"
    Then the flow waits on the "scan-qr-code" screen

  Scenario Outline: rows are checked with their values
    Given a JWT for "<login>"
    When I run the "<flow>" flow

    Examples:
      | login            | flow    |
      | ada@acme.test    | step-up |
      | nobody@acme.test | step-up |
      | bob@acme.test    | stepup  |
"""

PROMO_FLOW = """\
flow: promo
tasks:
  Has a code?:
    condition:
      - branch: Yes
        when:
          - form.promo: not-empty
        then: End
      - else: End
  End:
    action: logged-in
"""


Lint = Callable[..., tuple[int, list[str], str]]


@pytest.fixture
def lint(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Lint:
    """Run ``flowspec lint ARGS`` in the project copy; return (exit code, stdout lines, stderr)."""
    monkeypatch.chdir(project)

    def run(*args: str) -> tuple[int, list[str], str]:
        code = main(["lint", *args])
        captured = capsys.readouterr()
        return code, captured.out.splitlines(), captured.err

    return run


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def counts(project: Path, features: str = "") -> str:
    """What the summary says was checked: every flow, and ``features`` (default: all)."""
    flows = len(list((project / "scenarios" / "flows").iterdir()))
    every = f"{len(list((project / 'features').glob('*.feature')))} feature files"
    return f"{flows} flows and {features or every}"


def test_the_projects_own_features_and_flows_lint_clean(lint: Lint, project: Path) -> None:
    """The repository's features and test world give no finding and exit 0."""
    assert lint() == (0, [f"no problems in {counts(project)}"], "")


def test_lint_runs_from_another_folder_with_the_options(
    lint: Lint, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--scenarios and --steps-dir name the world and the steps; Examples files still load."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, _ = lint(
        str(project / "features"),
        "--scenarios",
        str(project / "scenarios"),
        "--steps-dir",
        str(project / "steps"),
    )
    assert (code, out) == (0, [f"no problems in {counts(project)}"])


def test_without_a_steps_folder_lint_uses_flowspecs_step_library(lint: Lint, project: Path) -> None:
    """With no steps/ and no --steps-dir, the features are matched against the library."""
    shutil.rmtree(project / "steps")
    assert lint() == (0, [f"no problems in {counts(project)}"], "")


def test_an_undefined_step_is_an_error_with_the_three_closest_steps(
    lint: Lint, project: Path
) -> None:
    """A step no step matches is reported at its line, as written, with three suggestions."""
    edit(project / "features" / "step_up.feature", 'And I click "Verify"', 'And I clik "Verify"')
    code, out, _ = lint()
    assert code == 1
    assert out == [
        "features/step_up.feature:12: error: undefined step 'And I clik \"Verify\"'; closest: "
        'When I click "{button}" | When I click "{button}" with | '
        'When I fill in "{name}" with "{value}"',
        f"1 error, 0 warnings in {counts(project)}",
    ]


def test_flows_users_screens_and_buttons_the_world_lacks_are_errors(
    lint: Lint, project: Path
) -> None:
    """Each unknown name is an error at its step with did-you-mean; screens and buttons are
    looked for in the flows the scenario runs (and their sub-flows), in any case or by id;
    Outline rows are checked with their values."""
    (project / "features" / "lacking.feature").write_text(LACKING)
    code, out, _ = lint("features/lacking.feature")
    assert code == 1
    assert out == [
        "features/lacking.feature:4: error: unknown user 'ada@acme.tst' in scenarios/users.yaml."
        " Did you mean 'ada@acme.test' or 'tom@acme.test' or 'bob@acme.test'?",
        "features/lacking.feature:5: error: unknown flow 'step-upp' in scenarios/flows. "
        "Did you mean 'step-up'?",
        "features/lacking.feature:11: error: unknown screen 'Verify TOTPP' in flows "
        '"step-up", "mfa-enrollment". Did you mean \'Verify TOTP\'?',
        "features/lacking.feature:12: error: unknown button 'Impersonate' on the screens of "
        "flows \"step-up\", \"mfa-enrollment\". Known buttons: 'Authenticator app', 'Passkey', "
        "'Set up now', 'Use an authenticator app', 'Verify'.",
        "features/lacking.feature:19: error: unknown user 'nobody@acme.test' in "
        "scenarios/users.yaml. Did you mean 'bob@acme.test' or 'tom@acme.test' or "
        "'ada@acme.test'?",
        "features/lacking.feature:20: error: unknown flow 'stepup' in scenarios/flows. "
        "Did you mean 'step-up'?",
        f"6 errors, 0 warnings in {counts(project, '1 feature file')}",
    ]


def test_warnings_alone_exit_zero(lint: Lint, project: Path) -> None:
    """A flow warning (a condition without ELSE) is printed, and lint still exits 0."""
    flow = PROMO_FLOW.replace("      - else: End\n", "").replace("form.promo", "user.loggedIn")
    (project / "scenarios" / "flows" / "promo.yaml").write_text(flow)
    code, out, _ = lint()
    assert code == 0
    assert out == [
        'scenarios/flows/promo.yaml:3: warning: task "Has a code?" of flow "promo" has no '
        "ELSE branch: a run where no branch holds stops there with an error. Add `- else: "
        "<task>` (connect the condition's else in Descope)",
        f"0 errors, 1 warning in {counts(project)}",
    ]


def test_a_form_value_the_linted_scenarios_send_counts_as_set(lint: Lint, project: Path) -> None:
    """form.promo, on no screen, is unset unless a linted scenario sends it as a flow input."""
    (project / "scenarios" / "flows" / "promo.yaml").write_text(PROMO_FLOW)
    (project / "features" / "promo.feature").write_text(
        textwrap.dedent(
            """\
            Feature: promo codes
              Scenario: a visitor with a promo code
                Given the flow input "promo" is "SPRING"
                When I run the "promo" flow
                Then the flow completes
            """
        )
    )
    code, out, _ = lint("features/promo.feature")
    assert (code, out[:-1]) == (0, [])
    code, out, _ = lint("features/step_up.feature")
    assert code == 0
    assert out[:-1] == [
        'scenarios/flows/promo.yaml:7: warning: task "Has a code?" of flow "promo" tests '
        '"form.promo", which nothing sets: no screen of any flow has the input "promo" and '
        "no scenario sends it. Add the input to a screen, or send it with a flow input"
    ]


def test_a_flow_the_loader_refuses_is_one_finding_and_its_name_is_not_unknown(
    lint: Lint, project: Path
) -> None:
    """A rule to a missing task is the loader's error for that file; the features that run
    the flow are not told the flow does not exist."""
    edit(project / "scenarios" / "flows" / "step-up.yaml", "then: Verify TOTP", "then: Verify")
    code, out, _ = lint()
    assert code == 1
    assert out == [
        "scenarios/flows/step-up.yaml:27: error: the flow does not load: at "
        "tasks[\"Second factor?\"].condition[0].then: it leads to task 'Verify', which the "
        "flow does not have. Did you mean 'Verify TOTP'? Point it at an existing task or add "
        "task 'Verify'",
        f"1 error, 0 warnings in {counts(project)}",
    ]


def test_a_feature_that_does_not_parse_is_an_error_at_its_line(lint: Lint, project: Path) -> None:
    """behave's parser error is one finding, on one line, at the line it names."""
    bad = "Feature: x\n  Scenario: y\n    Given no JWT\n  Bogus line here\n"
    (project / "features" / "bad.feature").write_text(bad)
    code, out, _ = lint("features/bad.feature")
    assert code == 1
    assert out[0] == (
        "features/bad.feature:4: error: the feature does not parse: Parser failure in "
        'state=steps at line 4: "Bogus line here"'
    )


def test_a_world_that_cannot_load_exits_two_with_the_loaders_message(lint: Lint, project: Path):
    """A users file that is wrong is no finding: lint stops with the world's own error."""
    (project / "scenarios" / "users.yaml").write_text("users: 3\n")
    assert lint() == (
        2,
        [],
        "flowspec lint: scenarios/users.yaml: users must be a list of users\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["features/nope.feature"], "no such feature file or folder: features/nope.feature"),
        (["--steps-dir", "nope"], "no steps folder at nope"),
    ],
)
def test_a_usage_error_exits_two(lint: Lint, args: list[str], message: str) -> None:
    """A path or steps folder that does not exist is a usage error."""
    assert lint(*args) == (2, [], f"flowspec lint: {message}\n")


def test_the_named_parameters_are_those_of_the_steps() -> None:
    """Each argument lint checks is named so in exactly these steps: renaming a parameter
    or adding a step that uses one fails here, not silently in lint."""
    catalog = load_catalog(ROOT / "steps")

    def using(parameter: str) -> set[str]:
        return {
            f"{entry.keyword} {entry.pattern}"
            for entry in catalog
            if f"{{{parameter}:" in entry.pattern or f"{{{parameter}}}" in entry.pattern
        }

    assert {parameter: using(parameter) for parameter in NAMED} == {
        "flow": {'When I run the "{flow:Text}" flow'},
        "user": {
            'Given a JWT for "{user:Text}" with claims',
            'Given a JWT for "{user:Text}"',
            'Given an expired JWT for "{user:Text}"',
            'Given a forged JWT for "{user:Text}"',
            'Given a JWT for "{user:Text}" from another project',
            'Then "{path:Text}" is the user id of "{user:Text}"',
        },
        "screen": {'Then the flow waits on the "{screen:Text}" screen'},
        "button": {'When I click "{button:Text}" with', 'When I click "{button:Text}"'},
    }
    assert using(SENT_INPUT) >= {
        'Given the flow input "{name:Text}" is "{value:Text}"',
        'When I fill in "{name:Text}" with "{value}"',
    }

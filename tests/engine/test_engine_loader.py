"""Loading Descope exports and YAML shorthand flows into the flow model."""

from __future__ import annotations

import copy
import json
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from flowspec.engine import shorthand
from flowspec.engine.loader import load_flow, load_flows, validate
from flowspec.engine.model import ELSE, Flow, Interaction, Rule, ScreenInput, Task
from flowspec.engine.shorthand import parse_shorthand
from flowspec.errors import FlowDefinitionError

FIXTURES = Path(__file__).parent / "fixtures"
MINI_EXPORT = FIXTURES / "mini-export.json"
STEP_UP = FIXTURES / "step-up.yaml"
REAL_EXPORTS = Path(__file__).resolve().parents[3] / "shared" / "descope-exports"

# Task counts of the real exports, by file, as exported.
REAL_TASK_COUNTS = {
    "idp-initiated-sso.json": 15,
    "preferred-mfa-flow.json": 25,
    "sign-in.json": 16,
    "sign-up-or-in-using-users-preferred-mfa-method.json": 20,
    "sign-up-or-in.json": 33,
    "sign-up.json": 23,
}


def mini_export() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(MINI_EXPORT.read_text(encoding="utf-8"))
    return document


def write_json(folder: Path, name: str, document: Any) -> Path:
    path = folder / name
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def write_yaml(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(FlowDefinitionError) as caught:
        load_flow(path)
    return str(caught.value)


@pytest.fixture(scope="module")
def mini() -> Flow:
    return load_flow(MINI_EXPORT)


# --- the export shape -------------------------------------------------------------------


def test_export_gives_flow_id_name_start_and_every_task(mini: Flow) -> None:
    """The flow keeps flowId, metadata.name, contents.startTask and all tasks."""
    assert (mini.id, mini.name, mini.start_task) == ("mini-step-up", "Mini step-up", "1")
    assert sorted(mini.tasks) == ["1", "2", "3", "4", "5", "6", "start"]
    assert mini.source == str(MINI_EXPORT)


def test_task_without_type_is_the_start_task(mini: Flow) -> None:
    """The typeless "start" task becomes type start; its id-less rule gets ""."""
    start = mini.task("start")
    assert start.type == "start"
    assert start.rules == (Rule("", "1"),)


def test_condition_task_keeps_branches_and_rules_in_export_order(mini: Flow) -> None:
    """Conditions become branches of atomic conditions; rules keep export order."""
    task = mini.task("1")
    assert task.type == "condition"
    assert [branch.name for branch in task.branches] == ["Admin", "Anyone else"]
    admin = task.branches[0]
    assert [(c.key, c.operator, c.predicate) for c in admin.conditions] == [
        ("user.loggedIn", "is-true", ""),
        ("jwtClaims.roles", "contains", "admin"),
    ]
    assert task.branches[1].is_else
    assert task.rules == (Rule("adm1n", "2"), Rule(ELSE, "3"))
    assert task.position == (100.0, 50.5)


def test_automated_task_unwraps_arguments_and_error_handling(mini: Flow) -> None:
    """Inline arguments become their values; errorHandlingV2 becomes name -> type."""
    task = mini.task("4")
    assert task.action == "verify-totp-code"
    assert task.arguments == {"templateId": "tmpl-1", "flags": ["a", "b"]}
    assert task.error_handling == {"InvalidCode": "custom"}
    assert task.targets("InvalidCode") == ("2",)


def test_end_task_is_logged_in_without_rules(mini: Flow) -> None:
    """The logged-in action with an empty next is the flow's end."""
    assert mini.task("6").is_end
    assert not mini.task("4").is_end


def test_flow_task_names_its_sub_flow(mini: Flow) -> None:
    """A flow task's arguments.flowId is the sub-flow to run."""
    task = mini.task("5")
    assert (task.type, task.sub_flow_id) == ("flow", "sign-in")
    assert task.rules == (Rule("9.success", "6"),)


def test_screen_task_joins_its_screen_design(mini: Flow) -> None:
    """Interactions come from screens[] plus unlisted buttons; inputs from named nodes."""
    screen = mini.task("2").screen
    assert screen is not None
    assert screen.id == "SC-verify"
    assert screen.interactions == (
        Interaction("verifyBtn", "Verify"),
        Interaction("helpBtn", "Need help?"),
    )
    assert screen.inputs == (
        ScreenInput("code", required=True, component="CodeInput"),
        ScreenInput("remember", required=False, component="Checkbox"),
    )


def test_screen_without_design_falls_back_to_task_keys(mini: Flow) -> None:
    """Without a screens[] entry, inputs come from the task and buttons from its rules."""
    screen = mini.task("3").screen
    assert screen is not None
    assert screen.id == "SC-not-exported"
    assert [i.name for i in screen.inputs] == ["email", "name"]
    assert screen.interactions == (Interaction("go", "go"), Interaction("polling", "polling"))


def test_v2_export_response_wrapper_is_unwrapped(tmp_path: Path, mini: Flow) -> None:
    """The {"flow": {...}} answer of the v2 export endpoint loads like the plain export."""
    wrapped = load_flow(write_json(tmp_path, "wrapped.json", {"flow": mini_export()}))
    assert wrapped.tasks == mini.tasks
    assert wrapped.start_task == mini.start_task


def test_flow_name_defaults_to_flow_id(tmp_path: Path) -> None:
    """Without metadata.name the flow is named by its id."""
    document = mini_export()
    del document["metadata"]
    assert load_flow(write_json(tmp_path, "bare.json", document)).name == "mini-step-up"


# --- the real exports ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_exports() -> Path:
    if not REAL_EXPORTS.is_dir():
        pytest.skip(f"the real Descope exports are not here: {REAL_EXPORTS}")
    return REAL_EXPORTS


@pytest.mark.parametrize(("name", "count"), REAL_TASK_COUNTS.items(), ids=REAL_TASK_COUNTS)
def test_real_export_loads_every_task(real_exports: Path, name: str, count: int) -> None:
    """Each real export loads, validates and keeps all its tasks."""
    flow = load_flow(real_exports / name)
    assert len(flow.tasks) == count
    assert flow.start_task in flow.tasks
    screens = [task for task in flow.tasks.values() if task.type == "screen"]
    assert screens
    assert all(task.screen is not None for task in screens)


def test_real_preferred_mfa_screen_has_labelled_buttons(real_exports: Path) -> None:
    """Task 8 of preferred-mfa-flow offers its three buttons with their labels."""
    screen = load_flow(real_exports / "preferred-mfa-flow.json").task("8").screen
    assert screen is not None
    assert {i.id: i.label for i in screen.interactions} == {
        "1glJiQSQMz": "Continue with SMS OTP",
        "Xzy2EoqU4S": "Continue with Passkeys",
        "kraHOXuK2J": "Continue with TOTP",
    }


def test_real_exports_keep_predicates_typed_and_sub_flows(real_exports: Path) -> None:
    """Predicates keep their JSON types and flow tasks name their sub-flows."""
    flows = load_flows(real_exports)
    risk = flows["sign-in"].task("7").branches[0].conditions[0]
    assert (risk.key, risk.operator, risk.predicate) == ("riskInfo.riskScore", "greater-than", 0.5)
    caller = flows["sign-up-or-in-using-users-preferred-mfa-method"].task("62")
    assert caller.sub_flow_id == "preferred-mfa-flow"
    assert caller.sub_flow_id in flows
    code = flows["preferred-mfa-flow"].task("7").screen
    assert code is not None
    assert code.inputs == (ScreenInput("code", required=True, component="CodeInput"),)


# --- export errors ----------------------------------------------------------------------


def test_rule_to_missing_task_names_file_task_rule_and_closest(tmp_path: Path) -> None:
    """A rule to an unknown task says where, suggests close ids and how to fix it."""
    document = mini_export()
    document["contents"]["tasks"]["4"]["next"]["rules"][1]["taskId"] = "22"
    path = write_json(tmp_path, "dangling.json", document)
    message = load_error(path)
    assert message.startswith(f'{path}: at contents.tasks["4"].next.rules[1].taskId:')
    assert 'task "4" (Verify Code / TOTP)' in message
    assert '"InvalidCode"' in message
    assert 'task "22"' in message
    assert "Did you mean '2'" in message
    assert 'Point the rule at an existing task or add task "22"' in message


def test_unknown_operator_is_rejected_with_the_list(tmp_path: Path) -> None:
    """A condition operator Descope lacks is an error listing the real ones."""
    document = mini_export()
    atomic = document["contents"]["tasks"]["1"]["conditions"][0]["atomicConditions"][1]
    atomic["operator"] = "contain"
    message = load_error(write_json(tmp_path, "operator.json", document))
    assert 'contents.tasks["1"].conditions[0].atomicConditions[1].operator' in message
    assert 'unknown operator "contain"' in message
    assert "Did you mean 'contains'" in message
    assert "doesnt-contains" in message


def test_branch_without_rule_is_an_error(tmp_path: Path) -> None:
    """Every branch of a condition needs a rule saying where it goes."""
    document = mini_export()
    document["contents"]["tasks"]["1"]["next"]["rules"].pop(0)
    message = load_error(write_json(tmp_path, "unruled.json", document))
    assert 'branch "Admin" (adm1n)' in message
    assert "has no rule" in message


def test_truncated_json_reports_line_and_column(tmp_path: Path) -> None:
    """A cut-off file is reported at file:line:column with the text around it."""
    text = MINI_EXPORT.read_text(encoding="utf-8")
    cut = text.index('"operator": "contains"') + len('"operator": ')
    line = text.count("\n", 0, cut) + 1
    path = write_yaml(tmp_path, "cut.json", text[:cut])
    message = load_error(path)
    assert message.startswith(f"{path}:{line}:29: at the JSON text: the JSON does not parse")
    assert '\n                    "operator": \n' in message
    assert message.endswith("\n" + " " * 32 + "^")


def test_non_object_top_level_is_explained(tmp_path: Path) -> None:
    """A JSON array is not a flow, and the message says what was found."""
    message = load_error(write_json(tmp_path, "list.json", [1, 2]))
    assert "the top level: expected an object, found an array" in message


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param({"foo": 1}, "not a Descope flow export (top-level keys: foo)", id="other"),
        pytest.param({"startTask": "1", "tasks": {}}, "contents.json of a project", id="snapshot"),
        pytest.param({"flow": {"id": "x"}}, "the older v1 export {", id="flow-without-dsl"),
    ],
)
def test_unknown_json_shapes_are_explained(tmp_path: Path, document: Any, expected: str) -> None:
    """An object that is not an export says which shape it looks like, or which flowspec reads."""
    assert expected in load_error(write_json(tmp_path, "shape.json", document))


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            lambda d: d["contents"]["tasks"]["4"]["next"]["rules"][0].update(taskId=6),
            'contents.tasks["4"].next.rules[0].taskId: expected a string, found a number (6)',
            id="rule-target-type",
        ),
        pytest.param(
            lambda d: d["contents"]["tasks"]["4"].pop("action"),
            'contents.tasks["4"].action: the required field "action" is missing',
            id="missing-action",
        ),
        pytest.param(
            lambda d: d["contents"]["tasks"]["4"].update(type="automatd"),
            "unknown task type 'automatd'. Did you mean 'automated'?",
            id="task-type",
        ),
        pytest.param(
            lambda d: d["contents"]["tasks"]["4"].update(id="5"),
            'the task stored under "4" says its id is "5"',
            id="id-mismatch",
        ),
        pytest.param(
            lambda d: d["contents"]["tasks"]["4"].pop("type"),
            'task "4" has no type',
            id="typeless-task",
        ),
        pytest.param(
            lambda d: d["contents"]["tasks"]["2"].update(view={"x": "left", "y": 1}),
            'contents.tasks["2"].view: expected numbers x and y',
            id="view",
        ),
        pytest.param(
            lambda d: d["contents"]["tasks"]["5"].update(arguments={}),
            "a flow task needs the id of the flow it runs",
            id="sub-flow-id",
        ),
        pytest.param(
            lambda d: d["contents"].update(startTask="99"),
            'contents.startTask: the flow starts at task "99"',
            id="start-task",
        ),
        pytest.param(
            lambda d: d["contents"]["tasks"].update({"7": []}),
            'contents.tasks["7"]: expected an object, found an array',
            id="task-not-object",
        ),
    ],
)
def test_malformed_export_fields_are_located(tmp_path: Path, edit: Any, expected: str) -> None:
    """A field of the wrong shape is reported at its JSON location, never as a traceback."""
    document = mini_export()
    edit(document)
    assert expected in load_error(write_json(tmp_path, "bad.json", document))


def test_validate_checks_a_hand_built_flow() -> None:
    """validate() rejects a flow whose start task does not exist, with suggestions."""
    flow = Flow(
        id="f",
        name="f",
        start_task="welcom",
        tasks={"welcome": Task(id="welcome", name="Welcome", type="screen")},
        source="f.yaml",
    )
    with pytest.raises(FlowDefinitionError, match="Did you mean 'welcome'"):
        validate(flow)


# --- the YAML shorthand -------------------------------------------------------------------


@pytest.fixture(scope="module")
def step_up() -> Flow:
    return load_flow(STEP_UP)


def test_shorthand_example_compiles_to_the_model(step_up: Flow) -> None:
    """The documented example gives the flow id, name, start and every task."""
    assert (step_up.id, step_up.name, step_up.start_task) == (
        "step-up",
        "Step-up MFA",
        "logged in?",
    )
    assert list(step_up.tasks) == [
        "logged in?",
        "welcome",
        "load user",
        "verify",
        "check code",
        "send code",
        "passkey",
        "done",
    ]
    assert step_up.task("done").is_end


def test_shorthand_condition_branches(step_up: Flow) -> None:
    """`when` tests become atomic conditions; `then`/`else` become the rules."""
    task = step_up.task("logged in?")
    first, fallback = task.branches
    assert (first.name, first.interaction_id) == ("Logged in", "logged-in")
    assert [(c.key, c.operator, c.predicate) for c in first.conditions] == [
        ("user.loggedIn", "is-true", None),
        ("jwtClaims.roles", "contains", "admin"),
        ("riskInfo.riskScore", "greater-than", 0.2),
        ("riskInfo.riskScore", "less-than", 0.8),
    ]
    assert fallback.is_else
    assert task.rules == (Rule("logged-in", "load user"), Rule(ELSE, "welcome"))


def test_shorthand_screen_buttons_inputs_and_extra_rules(step_up: Flow) -> None:
    """Buttons become interactions and rules; inputs default to required."""
    welcome = step_up.task("welcome")
    assert welcome.screen is not None
    assert welcome.screen.id == "Welcome"
    assert welcome.screen.interactions == (
        Interaction("continue", "Continue"),
        Interaction("passkey-button", "Use a passkey"),
    )
    assert welcome.rules == (
        Rule("continue", "send code"),
        Rule("passkey-button", "passkey"),
        Rule("polling", "welcome"),
    )
    verify = step_up.task("verify")
    assert verify.name == "Verify your code"
    assert verify.screen is not None
    assert verify.screen.inputs == (
        ScreenInput("code", required=True),
        ScreenInput("remember", required=False, component="Checkbox"),
    )


def test_shorthand_buttons_give_provider_and_validation(tmp_path: Path) -> None:
    """A button mapping may name a provider (then it skips validation) and set validates."""
    path = write_yaml(
        tmp_path,
        "social.yaml",
        "tasks:\n  welcome:\n    inputs: [email]\n    buttons:\n"
        "      Continue: welcome\n"
        "      Continue with Google: {to: done, provider: google}\n"
        "      Continue with Apple: {to: done, provider: apple, validates: true}\n"
        "      Send again: {to: welcome, validates: false}\n"
        "  done:\n    action: logged-in\n",
    )
    screen = load_flow(path).task("welcome").screen
    assert screen is not None
    assert screen.interactions == (
        Interaction("continue", "Continue"),
        Interaction(
            "continue-with-google", "Continue with Google", provider="google", validates=False
        ),
        Interaction("continue-with-apple", "Continue with Apple", provider="apple"),
        Interaction("send-again", "Send again", validates=False),
    )


@pytest.fixture(scope="module")
def docstring_example() -> Flow:
    """The complete example in the shorthand's docstring, compiled."""
    assert shorthand.__doc__ is not None
    example = shorthand.__doc__.split("::\n", 1)[1].split("\nRules of the shorthand:")[0]
    return parse_shorthand(textwrap.dedent(example), "docstring", default_id="example")


def test_shorthand_docstring_example_compiles(docstring_example: Flow) -> None:
    """The complete example in the shorthand's docstring is a valid flow."""
    flow = docstring_example
    validate(flow)
    welcome = flow.task("welcome").screen
    assert welcome is not None
    assert welcome.interactions[2] == Interaction(
        "continue-with-google", "Continue with Google", validates=False, provider="google"
    )


def test_shorthand_outcomes_turn_on_custom_error_handling(step_up: Flow) -> None:
    """Naming an error outcome in `next` routes it, as custom error handling does."""
    task = step_up.task("check code")
    assert task.rules == (Rule("success", "done"), Rule("InvalidCode", "verify"))
    assert task.error_handling == {"InvalidCode": "custom"}
    assert step_up.task("load user").rules == (Rule("success", "verify"),)


TWO_PHASE = """
tasks:
  send link:
    action: sign-in-magic-link-email
    next: {next}
  check inbox:
    screen: Check your inbox
  send link.end:
    action: verify-magic-link
    next: done
  welcome:
    screen: Welcome
  done:
    action: logged-in
"""


@pytest.mark.parametrize(
    "next_value",
    ["[check inbox, send link.end]", "{success: [check inbox, send link.end]}"],
    ids=["list", "mapping"],
)
def test_shorthand_lists_several_tasks_for_success(next_value: str) -> None:
    """A list of tasks, plain or under `success`, gives one success rule per task, in order."""
    text = TWO_PHASE.replace("{next}", next_value)
    flow = parse_shorthand(text, "two-phase.yaml", default_id="two-phase")
    task = flow.task("send link")
    assert task.rules == (Rule("success", "check inbox"), Rule("success", "send link.end"))
    assert task.targets("success") == ("check inbox", "send link.end")
    assert task.error_handling == {}


def test_shorthand_lists_several_tasks_for_any_outcome() -> None:
    """Lists and single tasks mix in a `next` mapping; an error outcome turns on custom handling."""
    text = TWO_PHASE.replace(
        "{next}", "{success: [check inbox, send link.end], UserNotFound: [welcome]}"
    )
    task = parse_shorthand(text, "two-phase.yaml", default_id="two-phase").task("send link")
    assert task.rules == (
        Rule("success", "check inbox"),
        Rule("success", "send link.end"),
        Rule("UserNotFound", "welcome"),
    )
    assert task.error_handling == {"UserNotFound": "custom"}


def test_shorthand_docstring_example_sends_a_link_with_a_sent_screen(
    docstring_example: Flow,
) -> None:
    """The docstring example's magic link goes to its sent screen and to its `.end` task."""
    targets = docstring_example.task("send link").targets("success")
    assert targets == ("check inbox", "send link.end")


def test_shorthand_sub_flow_and_defaults(tmp_path: Path) -> None:
    """Flow id defaults to the file name, start to the first task, numbers become ids."""
    path = write_yaml(
        tmp_path,
        "tiny-flow.yaml",
        "tasks:\n  7:\n    flow: other\n    next: 8\n  8:\n    action: logged-in\n",
    )
    flow = load_flow(path)
    assert (flow.id, flow.name, flow.start_task) == ("tiny-flow", "tiny-flow", "7")
    assert flow.task("7").sub_flow_id == "other"
    assert flow.task("7").rules == (Rule("success", "8"),)


def test_shorthand_yes_and_no_stay_names(tmp_path: Path) -> None:
    """Branch names and ids such as Yes, No or On stay text; only true/false are booleans."""
    path = write_yaml(
        tmp_path,
        "norway.yaml",
        "tasks:\n  Yes:\n    condition:\n      - branch: No\n"
        "        when: {user.country: {equal: NO}, user.verified: {is-true: true}}\n"
        "        then: On\n      - else: On\n  On:\n    action: logged-in\n",
    )
    task = load_flow(path).task("Yes")
    branch = task.branches[0]
    assert (branch.name, branch.interaction_id) == ("No", "no")
    assert [c.predicate for c in branch.conditions] == ["NO", True]
    assert task.rules == (Rule("no", "On"), Rule(ELSE, "On"))


YAML_ERRORS = [
    pytest.param(
        "tasks:\n  first:\n    action: loadUser\n    nxet: first\n",
        "bad.yaml:4: at tasks[\"first\"].nxet: unknown key 'nxet'",
        "Did you mean 'next'",
        id="unknown-task-key",
    ),
    pytest.param(
        "flow: x\nstrat: a\ntasks:\n  a:\n    action: x\n",
        "bad.yaml:2: at strat: unknown key 'strat' in the flow",
        "Did you mean 'start'?",
        id="unknown-flow-key",
    ),
    pytest.param(
        "tasks:\n  first:\n    action: loadUser\n    buttons: {Go: first}\n",
        "bad.yaml:2: at tasks[\"first\"]: task 'first' is both an automated task and a screen",
        "A task does one thing",
        id="two-kinds",
    ),
    pytest.param(
        "tasks:\n  first:\n    name: nothing\n",
        "bad.yaml:2: at tasks[\"first\"]: task 'first' does not say what it does",
        "`action:`",
        id="no-kind",
    ),
    pytest.param(
        "tasks:\n  a:\n    action: x\n    inputs: [code]\n",
        "is both an automated task and a screen task",
        "split it",
        id="screen-key-on-action",
    ),
    pytest.param(
        "tasks:\n  a:\n    screen: S\n    arguments: {}\n",
        'bad.yaml:4: at tasks["a"].arguments:',
        "'arguments' belongs to automated tasks, and task 'a' is a screen task",
        id="action-key-on-screen",
    ),
    pytest.param(
        "tasks:\n  a:\n    condition:\n      - branch: B\n        when:\n"
        "          - user.x: is-true\n            user.y: is-true\n        then: a\n",
        'bad.yaml:6: at tasks["a"].condition[0].when[0]: each `when` item tests one key',
        "one test per line",
        id="when-item-two-keys",
    ),
    pytest.param(
        "tasks:\n  a:\n    condition:\n      - branch: B\n"
        "        when: [user.x]\n        then: a\n",
        'bad.yaml:5: at tasks["a"].condition[0].when[0]: a test should be a mapping',
        "key: value",
        id="when-item-not-mapping",
    ),
    pytest.param(
        "tasks:\n  a:\n    condition:\n      - branch: B\n        when:\n"
        "          - user.x: {equals: 1}\n        then: a\n",
        "unknown operator 'equals'",
        "Did you mean 'equal'",
        id="when-bad-operator",
    ),
    pytest.param(
        "tasks:\n  a:\n    condition:\n      - branch: B\n        when: {user.x: is-true}\n",
        'bad.yaml:4: at tasks["a"].condition[0]: the branch has no `then:`',
        "`then:`",
        id="branch-without-then",
    ),
    pytest.param(
        "tasks:\n  a:\n    condition:\n      - else: a\n"
        "      - branch: B\n        when: {user.x: is-true}\n        then: a\n",
        'bad.yaml:4: at tasks["a"].condition[0]: the else branch is not the last one',
        "never be tried",
        id="else-not-last",
    ),
    pytest.param(
        "tasks:\n  first:\n    action: loadUser\n    next: verfy\n  verify:\n    screen: V\n",
        "bad.yaml:4: at tasks[\"first\"].next: it leads to task 'verfy', which the flow does not",
        "Did you mean 'verify'? Point it at an existing task or add task 'verfy'",
        id="unknown-target",
    ),
    pytest.param(
        "tasks:\n  a:\n    action: x\n    next: [a,\n      b]\n",
        "bad.yaml:5: at tasks[\"a\"].next[1]: it leads to task 'b', which the flow does not",
        "Point it at an existing task or add task 'b'",
        id="unknown-target-in-list",
    ),
    pytest.param(
        "tasks:\n  a:\n    action: x\n    next: {success: a, Oops: [a, b]}\n",
        "bad.yaml:4: at tasks[\"a\"].next.Oops[1]: it leads to task 'b', which the flow",
        "add task 'b'",
        id="unknown-target-in-outcome-list",
    ),
    pytest.param(
        "tasks:\n  a:\n    action: x\n    next: {success: []}\n",
        "bad.yaml:4: at tasks[\"a\"].next.success: the list of tasks for 'success' is empty",
        "list several: `[check inbox, send link.end]`",
        id="empty-target-list",
    ),
    pytest.param(
        "tasks:\n  a:\n    action: x\n    next: [a, a]\n",
        "bad.yaml:4: at tasks[\"a\"].next[1]: 'success' lists task 'a' twice",
        "List each task once",
        id="target-listed-twice",
    ),
    pytest.param(
        "tasks:\n  a:\n    action: x\n    next: [a, {to: a}]\n",
        'bad.yaml:4: at tasks["a"].next[1]: the task to go to should be text',
        "plain text",
        id="target-list-item-not-text",
    ),
    pytest.param(
        "tasks:\n  v:\n    screen: V\n    next: [v, v.end]\n",
        'bad.yaml:4: at tasks["v"].next: a screen moves on through its buttons',
        "`next: {submit: verify link}`",
        id="target-list-on-screen",
    ),
    pytest.param(
        "tasks:\n  v:\n    buttons:\n      Go on: v\n      go-on: v\n",
        'bad.yaml:5: at tasks["v"].buttons["go-on"]: two buttons have the id \'go-on\'',
        "explicit `id:`",
        id="duplicate-button-ids",
    ),
    pytest.param(
        "tasks:\n  v:\n    buttons:\n      Go: {to: v, validates: no}\n",
        'bad.yaml:4: at tasks["v"].buttons["Go"].validates: validates should be true or false',
        "validates: false",
        id="button-validates-not-bool",
    ),
    pytest.param(
        "tasks:\n  v:\n    buttons:\n      Go: {to: v, provder: google}\n",
        'bad.yaml:4: at tasks["v"].buttons["Go"].provder: unknown key \'provder\' in button',
        "Did you mean 'provider'? Allowed here: to, id, provider, validates",
        id="button-unknown-key",
    ),
    pytest.param(
        "tasks:\n  v:\n    screen: V\n    inputs: [{name: code, required: maybe}]\n",
        'bad.yaml:4: at tasks["v"].inputs[0].required: required should be true or false',
        "required: false",
        id="input-required-not-bool",
    ),
    pytest.param(
        "tasks:\n  first:\n    action: x\n  first:\n    action: y\n",
        "bad.yaml:4:3: at the YAML text: the key 'first' appears twice (first on line 2)",
        "Keep one of the two",
        id="duplicate-key",
    ),
    pytest.param(
        "tasks:\n  first:\n    action: x\n   bad: indent\n",
        "bad.yaml:4:4: at the YAML text:",
        "indent with spaces",
        id="yaml-syntax",
    ),
    pytest.param("", "bad.yaml:1: at the top level: the file is empty", "`tasks:`", id="empty"),
    pytest.param(
        "flow: x\n",
        "bad.yaml:1: at the top level: the flow has no `tasks:`",
        "tasks",
        id="no-tasks",
    ),
]


@pytest.mark.parametrize(("text", "where", "fix"), YAML_ERRORS)
def test_shorthand_mistakes_are_located_and_explained(
    tmp_path: Path, text: str, where: str, fix: str
) -> None:
    """Each mistake names the file, line, place in the document and a fix."""
    message = load_error(write_yaml(tmp_path, "bad.yaml", text))
    assert where in message
    assert fix in message
    assert message.startswith(str(tmp_path / "bad.yaml"))


# --- folders and files --------------------------------------------------------------------


def test_load_flows_reads_every_flow_file_and_skips_the_rest(tmp_path: Path) -> None:
    """All .json/.yaml files load by id; hidden files, READMEs and others are skipped."""
    write_json(tmp_path, "mini.json", mini_export())
    write_yaml(tmp_path, "step-up.yml", STEP_UP.read_text(encoding="utf-8"))
    write_yaml(tmp_path, ".draft.yaml", "not: [valid")
    write_yaml(tmp_path, "README.yaml", "just: docs")
    write_yaml(tmp_path, "notes.txt", "ignored")
    (tmp_path / "nested").mkdir()
    write_yaml(tmp_path / "nested", "other.yaml", "tasks: {a: {action: x}}")
    assert sorted(load_flows(tmp_path)) == ["mini-step-up", "step-up"]


def test_duplicate_flow_ids_name_both_files(tmp_path: Path) -> None:
    """Two files defining the same flow id is an error that names both."""
    first = write_json(tmp_path, "a.json", mini_export())
    second = write_yaml(tmp_path, "b.yaml", "flow: mini-step-up\ntasks: {a: {action: x}}\n")
    with pytest.raises(FlowDefinitionError) as caught:
        load_flows(tmp_path)
    message = str(caught.value)
    assert str(first) in message
    assert str(second) in message
    assert 'flow id "mini-step-up"' in message


def test_load_flows_needs_a_folder(tmp_path: Path) -> None:
    """Pointing load_flows at something that is not a folder is explained."""
    with pytest.raises(FlowDefinitionError, match="it is not a folder"):
        load_flows(tmp_path / "missing")


def test_load_flow_rejects_other_suffixes(tmp_path: Path) -> None:
    """Only .json and .yaml/.yml files are flows."""
    assert 'not ".txt"' in load_error(write_yaml(tmp_path, "flow.txt", "{}"))


def test_load_flow_reports_unreadable_files(tmp_path: Path) -> None:
    """A missing file is a flow definition error, not an OSError traceback."""
    assert "cannot be read" in load_error(tmp_path / "gone.json")


def test_hundred_task_export_loads_in_milliseconds(tmp_path: Path) -> None:
    """A 100-task export loads and validates well within the time a scenario can spare."""
    document = mini_export()
    tasks = document["contents"]["tasks"]
    template = tasks["4"]
    for number in range(100, 200):
        task = copy.deepcopy(template)
        task["id"] = str(number)
        task["next"]["rules"] = [{"interactionId": "success", "taskId": str(number + 1)}]
        tasks[str(number)] = task
    tasks["199"]["next"]["rules"] = [{"interactionId": "success", "taskId": "6"}]
    path = write_json(tmp_path, "big.json", document)
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        flow = load_flow(path)
        timings.append(time.perf_counter() - started)
    assert len(flow.tasks) == 107
    assert min(timings) < 0.05

"""Flow lint: each defect of a hand-written flow is one finding, at its file and line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from flowspec.engine.actions import REGISTRY
from flowspec.engine.context import dynamic_values
from flowspec.engine.lint import DYNAMIC_ROOTS, Finding, check_flows, load_for_lint
from flowspec.engine.state import RunState
from flowspec.errors import SettingsError

ROOT = Path(__file__).resolve().parents[2]

# A flow with no defect; the tests below each add one. Line numbers matter: keep the layout.
SOUND = """\
flow: sound
start: Signed in?
tasks:
  Signed in?:
    condition:
      - branch: Signed in
        when:
          - user.loggedIn: is-true
        then: Verify
      - else: Sign in first
  Sign in first:
    screen: sign-in-first
  Verify:
    screen: verify
    inputs: [code]
    buttons:
      Verify: Check code
  Check code:
    action: verify-totp-code
    next: End
  End:
    action: logged-in
"""


UNEMULATED = (
    "which the engine does not emulate. Did you mean 'verify-totp-code' or "
    "'verify-code-otp-sms' or 'verify-code-otp-email'? `flowspec actions` lists the "
    f"{len(REGISTRY.specs)} it does"
)


def lint(root: Path, sent: tuple[str, ...] = ()) -> list[str]:
    """The findings for the world at ``root``, each as ``<file name>:<line>: ...``."""
    linted = load_for_lint(root)
    found = [*linted.findings, *check_flows(linted.flows, linted.users, sent)]
    return [f"{Path(f.file).name}:{f.line}: {f.level}: {f.message}" for f in found]


@pytest.fixture
def world(world_folder: Callable[[dict[str, str]], Path]) -> Callable[..., Path]:
    """Write a test world with the given YAML flows (name=text); return its folder."""

    def build(**flows: str) -> Path:
        return world_folder(flows)

    return build


def test_a_sound_flow_has_no_findings(world: Callable[..., Path]) -> None:
    """A flow whose every task is reached, wired and emulated gives no finding."""
    assert lint(world(sound=SOUND)) == []


def test_the_projects_own_flows_lint_clean() -> None:
    """The example flows in scenarios/ give no finding at all, not even a warning."""
    linted = load_for_lint(ROOT / "scenarios")
    assert linted.findings == ()
    assert check_flows(linted.flows, linted.users) == []


def test_a_finding_prints_as_file_line_level_message() -> None:
    """A finding reads like a compiler's: file:line: level: message."""
    finding = Finding("scenarios/flows/a.yaml", 7, "warning", "something")
    assert str(finding) == "scenarios/flows/a.yaml:7: warning: something"


def test_a_task_nothing_leads_to_is_an_unreachable_warning_at_its_key(
    world: Callable[..., Path],
) -> None:
    """A task no rule reaches from the start is a warning on the line of its key."""
    flow = SOUND + "  Orphan:\n    screen: orphan\n"
    assert lint(world(sound=flow)) == [
        'sound.yaml:23: warning: task "Orphan" of flow "sound" is unreachable: no rule or '
        'branch leads to it from the start task "Signed in?". Connect it or delete it'
    ]


def test_a_task_id_also_used_as_a_button_label_is_found_at_its_own_key(
    world: Callable[..., Path],
) -> None:
    """The line is the task's key under tasks:, not a button of the same name above it."""
    flow = SOUND.replace("Verify: Check code", "Verify: Check code\n      Orphan: End")
    flow += "  Orphan:\n    screen: orphan\n"
    assert lint(world(sound=flow)) == [
        'sound.yaml:24: warning: task "Orphan" of flow "sound" is unreachable: no rule or '
        'branch leads to it from the start task "Signed in?". Connect it or delete it'
    ]


def test_an_unknown_action_is_an_error_on_its_line_with_did_you_mean(
    world: Callable[..., Path],
) -> None:
    """An action the registry lacks is an error on the `action:` line, suggesting the closest."""
    flow = SOUND.replace("action: verify-totp-code", "action: verify-totp-cod")
    assert lint(world(sound=flow)) == [
        'sound.yaml:19: error: task "Check code" of flow "sound" runs the action '
        f'"verify-totp-cod", {UNEMULATED}'
    ]


def test_a_flow_task_running_a_missing_flow_is_an_error(world: Callable[..., Path]) -> None:
    """A sub-flow id the world does not have is an error naming the flows it has."""
    flow = SOUND.replace("action: verify-totp-code", "flow: sond")
    assert lint(world(sound=flow)) == [
        'sound.yaml:19: error: task "Check code" of flow "sound" runs the flow "sond", which '
        "the world does not have. Did you mean 'sound'? Add it to the flows folder or correct "
        "the id"
    ]


def test_a_condition_without_else_is_a_warning(world: Callable[..., Path]) -> None:
    """A condition with no ELSE branch is a warning on the condition's line."""
    flow = SOUND.replace("      - else: Sign in first\n", "").replace(
        "  Sign in first:\n    screen: sign-in-first\n", ""
    )
    assert lint(world(sound=flow)) == [
        'sound.yaml:4: warning: task "Signed in?" of flow "sound" has no ELSE branch: a run '
        "where no branch holds stops there with an error. Add `- else: <task>` (connect the "
        "condition's else in Descope)"
    ]


def test_a_rule_to_a_missing_task_is_the_loaders_error_and_other_flows_are_still_linted(
    world: Callable[..., Path],
) -> None:
    """The loader refuses the flow: its own message is one finding at its line, the world
    is loaded flow by flow, and a defect in another flow is still found."""
    broken = SOUND.replace("then: Verify", "then: Verfy")
    other = SOUND.replace("flow: sound", "flow: other").replace(
        "action: verify-totp-code", "action: verify-totp-cod"
    )
    root = world(broken=broken, other=other)
    linted = load_for_lint(root)
    assert linted.world is None
    assert linted.users is None
    assert sorted(linted.flows) == ["other"]
    assert linted.unloaded == frozenset({"broken"})
    assert lint(root) == [
        'broken.yaml:9: error: the flow does not load: at tasks["Signed in?"].condition[0]'
        ".then: it leads to task 'Verfy', which the flow does not have. Did you mean 'Verify'? "
        "Point it at an existing task or add task 'Verfy'",
        'other.yaml:19: error: task "Check code" of flow "other" runs the action '
        f'"verify-totp-cod", {UNEMULATED}',
    ]


def test_two_flows_with_one_id_are_reported_once(world: Callable[..., Path]) -> None:
    """Files that load alone but clash on their flow id give the world's own error."""
    root = world(a=SOUND, b=SOUND)
    assert lint(root) == [
        'b.yaml:1: error: the flow does not load: at the flow id: flow id "sound" is already '
        f"defined by {root / 'flows' / 'a.yaml'}. Keep one of the two, or give one flow "
        "another id"
    ]


def test_a_world_whose_users_file_is_wrong_cannot_be_linted(world: Callable[..., Path]) -> None:
    """A problem outside the flows is not a finding: the world does not load at all."""
    root = world(sound=SOUND)
    (root / "users.yaml").write_text("users: 3\n")
    with pytest.raises(SettingsError, match="users must be a list"):
        load_for_lint(root)


def write_export(root: Path, rule_to: str = "2") -> None:
    """A one-screen Descope export: Welcome's "Go" leads to ``rule_to``; "Help" to nothing."""
    export = {
        "flowId": "exported",
        "metadata": {"name": "Exported"},
        "contents": {
            "startTask": "1",
            "tasks": {
                "1": {
                    "id": "1",
                    "name": "Welcome",
                    "type": "screen",
                    "screenId": "welcome",
                    "next": {"rules": [{"interactionId": "go", "taskId": rule_to}]},
                },
                "2": {"id": "2", "name": "End", "type": "automated", "action": "logged-in"},
            },
        },
        "screens": [
            {
                "screenId": "welcome",
                "interactions": [{"id": "go", "label": "Go"}, {"id": "help", "label": "Help"}],
            }
        ],
    }
    (root / "flows" / "exported.json").write_text(json.dumps(export, indent=2))


def test_a_button_without_a_rule_in_an_export_is_a_warning_at_its_task(
    world: Callable[..., Path],
) -> None:
    """A screen's interaction that no rule takes leads nowhere: a warning at the task's
    ``"1": {`` line (its label is written in the screens, not in the task)."""
    root = world()
    write_export(root)
    assert lint(root) == [
        'exported.json:9: warning: button "Help" (help) on task "Welcome" (1) of flow '
        '"exported" leads nowhere: no rule has interaction "help", so clicking it fails. '
        "Connect it to a task or remove it from the screen"
    ]


def test_an_export_the_loader_refuses_is_reported_at_the_task_its_error_names(
    world: Callable[..., Path],
) -> None:
    """A JSON export's loader error has no line; lint finds the task its location names."""
    root = world()
    write_export(root, rule_to="3")
    assert lint(root) == [
        'exported.json:9: error: the flow does not load: at contents.tasks["1"].next.rules[0]'
        '.taskId: task "1" (Welcome) goes on "go" to task "3", which the flow does not have. '
        'Point the rule at an existing task or add task "3"'
    ]


CONDITION_ON = """\
flow: keyed
tasks:
  Check:
    condition:
      - branch: Yes
        when:
          - {key}: is-true
        then: End
      - else: End
  End:
    action: logged-in
"""


def keyed(world: Callable[..., Path], key: str, sent: tuple[str, ...] = ()) -> list[str]:
    return lint(world(keyed=CONDITION_ON.replace("{key}", key)), sent)


def test_a_form_key_no_screen_has_is_a_warning_with_the_inputs_as_suggestions(
    world: Callable[..., Path],
) -> None:
    """form.<x> with no input x on any screen of the world is a warning naming the inputs."""
    root = world(sound=SOUND, keyed=CONDITION_ON.replace("{key}", "form.cod"))
    assert lint(root) == [
        'keyed.yaml:7: warning: task "Check" of flow "keyed" tests "form.cod", which nothing '
        'sets: no screen of any flow has the input "cod" and no scenario sends it. Did you '
        "mean 'code'? Add the input to a screen, or send it with a flow input"
    ]


def test_a_form_key_a_scenario_sends_is_not_reported(world: Callable[..., Path]) -> None:
    """A form value the scenarios send themselves counts as set."""
    assert keyed(world, "form.promo", sent=("promo",)) == []


def test_a_custom_attribute_no_user_has_is_a_warning(world: Callable[..., Path]) -> None:
    """user.customAttributes.<y> that no user has and no task writes is a warning."""
    assert keyed(world, "user.customAttributes.plan") == [
        'keyed.yaml:7: warning: task "Check" of flow "keyed" tests '
        '"user.customAttributes.plan", which nothing sets: no user in users.yaml has the '
        'custom attribute "plan" and no task writes it. Give a user customAttributes: '
        "{plan: ...} in users.yaml"
    ]


def test_a_custom_attribute_a_user_has_or_a_task_writes_is_not_reported(
    world: Callable[..., Path],
) -> None:
    """An attribute some user holds, or an update-user-properties task writes, may be set."""
    root = world(keyed=CONDITION_ON.replace("{key}", "user.customAttributes.plan"))
    users = (root / "users.yaml").read_text()
    (root / "users.yaml").write_text(
        users.replace("    name: Admin\n", "    name: Admin\n    customAttributes: {plan: pro}\n")
    )
    assert lint(root) == []
    writer = CONDITION_ON.replace("{key}", "unauthUser.customAttributes.tier").replace(
        "then: End", "then: Save"
    ) + (
        "  Save:\n    action: update-user-properties\n    arguments:\n"
        "      userPropertiesDefinitions:\n"
        "        - {key: customAttributes.tier, type: string, value: gold}\n    next: End\n"
    )
    assert lint(world(keyed=writer)) == []


def test_an_unknown_root_is_a_warning_with_did_you_mean(world: Callable[..., Path]) -> None:
    """A key under a root the engine never fills can never be set there."""
    assert keyed(world, "usr.loggedIn") == [
        'keyed.yaml:7: warning: task "Check" of flow "keyed" tests "usr.loggedIn", which '
        'nothing sets: the local engine sets nothing under "usr", so it is always missing '
        "there. Did you mean 'user'? Known roots: authInfo, connectors, deviceInfo, form, "
        "jwtClaims, provider, riskInfo, unauthUser, user"
    ]


@pytest.mark.parametrize(
    "key", ["user.loggedIn", "user.tenant.roles", "jwtClaims.anything", "deviceInfo.x"]
)
def test_keys_under_known_roots_are_not_reported(world: Callable[..., Path], key: str) -> None:
    """Only what can be proved never set is reported: other keys under known roots pass."""
    assert keyed(world, key) == []


def test_custom_attributes_are_not_judged_without_the_users(world: Callable[..., Path]) -> None:
    """When a broken flow keeps the users unread, no attribute is called unset."""
    root = world(
        broken=SOUND.replace("then: Verify", "then: Verfy"),
        keyed=CONDITION_ON.replace("{key}", "user.customAttributes.plan"),
    )
    assert [line.split(":")[0] for line in lint(root)] == ["broken.yaml"]


def test_the_dynamic_roots_are_the_sections_a_flow_reads(world: Callable[..., Path]) -> None:
    """DYNAMIC_ROOTS names exactly the sections of the engine's dynamic values."""
    linted = load_for_lint(world(sound=SOUND))
    assert linted.world is not None
    state = RunState(
        flow_id="sound",
        execution_id="x",
        directory=linted.world.directory(),
        issuer=linted.world.issuer,
        project_id=linted.world.project_id,
    )
    assert set(dynamic_values(state)) == DYNAMIC_ROOTS

"""Thens: the run's status, screen and path, and JSONPath checks on its flow context."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowspec.bdd.steps.keywords import then
from flowspec.bdd.steps.lazy import on_first_use
from flowspec.bdd.types import register_parameter_types

if TYPE_CHECKING:
    from flowspec.bdd import matching, thens
else:
    matching = on_first_use("flowspec.bdd.matching")
    thens = on_first_use("flowspec.bdd.thens")

register_parameter_types()


@then("the flow completes")
def step_completes(context: Any) -> None:
    """The run reached an end task.

    Example: Then the flow completes
    """
    thens.status_is(context, "completed")


@then("the flow fails")
def step_fails(context: Any) -> None:
    """The run stopped with an error and no screen to show it on.

    Example: Then the flow fails
    """
    thens.status_is(context, "failed")


@then('the flow waits on the "{screen:Text}" screen')
def step_waits_on(context: Any, screen: str) -> None:
    """The run waits on the screen with that task name, task id or screen id.

    Example: Then the flow waits on the "Verify TOTP" screen
    """
    thens.waits_on_screen(context, screen)


@then('the flow goes through "{task:Text}"')
def step_goes_through(context: Any, task: str) -> None:
    """The run visited the task with that name or id.

    Example: Then the flow goes through "Load user"
    """
    thens.went_through(context, task)


@then('the flow does not go through "{task:Text}"')
def step_skips(context: Any, task: str) -> None:
    """The run never visited the task with that name or id.

    Example: Then the flow does not go through "Verify TOTP"
    """
    thens.went_through(context, task, expected=False)


@then("the flow path is")
def step_path_is(context: Any) -> None:
    """The tasks visited, in order, by name (one per row of a one-column table headed "task").

    Example: Then the flow path is
        | task          |
        | Signed in?    |
        | Load user     |
        | Edit profile  |
    """
    thens.path_is(context, [row["task"] for row in context.table])


@then("the flow passes the {check} check")
def step_passes_check(context: Any, check: str) -> None:
    """The task named "<check> check" took a branch other than ELSE, or its action succeeded.

    Example: Then the flow passes the role check
    """
    thens.passes_check(context, check)


@then("the flow fails the {check} check")
def step_fails_check(context: Any, check: str) -> None:
    """The task named "<check> check" took its ELSE branch, or its action yielded an error.

    Example: Then the flow fails the role check
    """
    thens.passes_check(context, check, expected=False)


@then("the JWT is accepted")
def step_jwt_accepted(context: Any) -> None:
    """The run's JWT input was verified and signed the run in (session.status is accepted).

    Example: Then the JWT is accepted
    """
    thens.jwt_judged(context, accepted=True)


@then('the JWT is rejected as "{code:Text}"')
def step_jwt_rejected(context: Any, code: str) -> None:
    """The JWT was rejected with that code: too-large, malformed, bad-signature,
    unknown-key, expired, not-yet-valid, wrong-issuer, wrong-audience, wrong-kind,
    unsupported-algorithm or unknown-user.

    Example: Then the JWT is rejected as "expired"
    """
    thens.jwt_judged(context, accepted=False, code=code)


@then('"{path:Text}" is the {who}\'s user id')
def step_is_users_id(context: Any, path: str, who: str) -> None:
    """The value is the user id of the person a Given named by role ("the admin's").

    Example: Then "$.authInfo.sessionJwt.act.sub" is the admin's user id
    """
    thens.is_user_id_of(context, path, who)


@then('"{path:Text}" is the user id of "{user:Text}"')
def step_is_user_id_of(context: Any, path: str, user: str) -> None:
    """The value is the user id of the person a Given named by login id.

    Example: Then "$.authInfo.sessionJwt.sub" is the user id of "bob@acme.test"
    """
    thens.is_user_id_of(context, path, user)


@then('"{path:Text}" is {comparison:Comparison} {number}')
def step_compares(context: Any, path: str, comparison: str, number: str) -> None:
    """The number is greater than, at least, less than or at most this one (defined before
    the "is <literal>" step, which would otherwise read "greater than 5" as its own).

    Example: Then "$.riskInfo.riskScore" is at least 0.5
    """
    matching.compares(context, path, comparison, number)


@then('"{path:Text}" is {expected:Literal}')
def step_is(context: Any, path: str, expected: str) -> None:
    """The value equals a JSON literal: true, false, null, a number, "a string", [..], {..};
    markers such as "#string" stand for any value of their kind.

    Example: Then "$.user.loggedIn" is true
    """
    thens.path_equals(context, path, expected)


@then('"{path:Text}" equals {expected:Literal}')
def step_equals(context: Any, path: str, expected: str) -> None:
    """The value equals a JSON literal (markers allowed).

    Example: Then "$.user.name" equals "Ada Admin"
    """
    thens.path_equals(context, path, expected)


@then('"{path:Text}" does not equal {expected:Literal}')
def step_not_equals(context: Any, path: str, expected: str) -> None:
    """The value differs from a JSON literal.

    Example: Then "$.flow.status" does not equal "failed"
    """
    thens.path_not_equals(context, path, expected)


@then('"{path:Text}" contains {expected:Literal}')
def step_contains(context: Any, path: str, expected: str) -> None:
    """A string contains the text, an array holds the element, or an object holds the
    subset, at any depth (markers allowed).

    Example: Then "$.authInfo.sessionJwt.amr" contains "totp"
    """
    thens.path_contains(context, path, expected)


@then('"{path:Text}" exists')
def step_exists(context: Any, path: str) -> None:
    """The path finds at least one value (null counts).

    Example: Then "$.authInfo.sessionJwt" exists
    """
    thens.path_exists(context, path)


@then('"{path:Text}" is absent')
def step_absent(context: Any, path: str) -> None:
    """The path finds nothing.

    Example: Then "$.authInfo.sessionJwt.su" is absent
    """
    thens.path_absent(context, path)

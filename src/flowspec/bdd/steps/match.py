"""Thens that match values of the flow context against markers, sets, counts and patterns,
or the whole flow context against a document, or a table of checks at once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowspec.bdd.steps.keywords import then
from flowspec.bdd.steps.lazy import on_first_use
from flowspec.bdd.types import register_parameter_types

if TYPE_CHECKING:
    from flowspec.bdd import matching
else:
    matching = on_first_use("flowspec.bdd.matching")

register_parameter_types()


@then('"{path:Text}" matches {expected:Literal}')
def step_matches(context: Any, path: str, expected: str) -> None:
    """The value matches: markers such as "#string", "#uuid", "##number" (optional), or
    JSON with markers inside; objects must have exactly the keys given.

    Example: Then "$.authInfo.sessionJwt.act" matches {"sub": "#string"}
    """
    matching.matches(context, path, expected)


@then('"{path:Text}" matches')
def step_matches_doc_string(context: Any, path: str) -> None:
    '''The value matches the doc string (JSON or YAML; markers allowed; objects must have
    exactly the keys given, and "##" keys may be absent).

    Example: Then "$.authInfo.sessionJwt.act" matches
        """
        {"sub": "#string"}
        """
    '''
    matching.matches_doc_string(context, path, context.text)


@then('"{path:Text}" contains only {expected:Literal}')
def step_contains_only(context: Any, path: str, expected: str) -> None:
    """The array holds exactly these elements, in any order.

    Example: Then "$.authInfo.sessionJwt.amr" contains only ["mfa", "totp", "email"]
    """
    matching.matches(context, path, expected, mode="contains only")


@then('"{path:Text}" contains any of {expected:Literal}')
def step_contains_any(context: Any, path: str, expected: str) -> None:
    """The array (or string) holds at least one of these.

    Example: Then "$.authInfo.sessionJwt.amr" contains any of ["totp", "webauthn"]
    """
    matching.matches(context, path, expected, mode="contains any")


@then('"{path:Text}" does not contain {expected:Literal}')
def step_not_contains(context: Any, path: str, expected: str) -> None:
    """The array, string or object holds none of these.

    Example: Then "$.authInfo.sessionJwt.amr" does not contain "pwd"
    """
    matching.matches(context, path, expected, mode="not contains")


@then('each of "{path:Text}" matches {expected:Literal}')
def step_each_matches(context: Any, path: str, expected: str) -> None:
    """Every element of the array matches (markers allowed).

    Example: Then each of "$.flow.path[*].id" matches "#string"
    """
    matching.each_matches(context, path, expected)


@then('"{path:Text}" has {count:d} items')
def step_has_count(context: Any, path: str, count: int) -> None:
    """The array has this many elements (or the path finds this many values).

    Example: Then "$.user.loginIds" has 1 items
    """
    matching.has_count(context, path, count)


@then('"{path:Text}" matches the pattern "{pattern:Text}"')
def step_matches_pattern(context: Any, path: str, pattern: str) -> None:
    """The string matches the regular expression (searched anywhere in it).

    Example: Then "$.authInfo.sessionJwt.sub" matches the pattern "^U2"
    """
    matching.matches_pattern(context, path, pattern)


@then("the flow context matches")
def step_context_matches(context: Any) -> None:
    '''The flow context holds everything in the doc string (JSON or YAML; a deep subset,
    key order ignored, markers allowed); every difference is reported at once.

    Example: Then the flow context matches
        """
        flow: {status: completed}
        user: {loggedIn: true, email: "#email"}
        authInfo: {sessionJwt: {su: true}}
        """
    '''
    matching.context_matches(context, context.text)


@then("the flow context matches exactly")
def step_context_matches_exactly(context: Any) -> None:
    '''The doc string is the whole flow context: nothing missing, nothing extra (use
    "#ignore" for parts not worth spelling out).

    Example: Then the flow context matches exactly
        """
        {"flow": "#object", "screen": null, "user": "#object", "unauthUser": {}, "form": "#object",
         "deviceInfo": {}, "riskInfo": {}, "connectors": {}, "provider": "", "jwtClaims": "#object",
         "authInfo": "#object", "output": {}, "error": null, "runnerLogs": [], "session": "#object"}
        """
    '''
    matching.context_matches(context, context.text, exact=True)


@then("these checks hold")
def step_checks_hold(context: Any) -> None:
    """Every row of the table (path, matcher, expected) holds; all failing rows are reported
    together. Matchers: equals, does not equal, contains, contains only, contains any,
    does not contain, matches, each matches, has count, matches regex, is greater than,
    is at least, is less than, is at most, exists, is absent.

    Example: Then these checks hold
        | path                         | matcher  | expected |
        | $.flow.status                | equals   | "completed" |
        | $.authInfo.sessionJwt.su     | equals   | true     |
        | $.authInfo.sessionJwt.amr    | contains | "totp"   |
        | $.authInfo.sessionJwt.exp    | matches  | "#number" |
    """
    matching.rows_hold(context, context.table)

"""The files ``flowspec init`` writes: a project whose example features pass at once.

They are kept as text here, by the path each takes in the new project, and show every
part once: a test world (project settings, users, one flow in the YAML shorthand), a
feature that runs the flow anonymous and with a JWT, the one-line step module and the
hooks behave needs, and behave's settings. ``pyproject.toml`` is written only when the
folder has none (see :mod:`flowspec.bdd.starter`).
"""

from __future__ import annotations

EXAMPLE_FLOW = "sign-in"

FEATURE = """\
Feature: Sign in
  The example flow of scenarios/flows/sign-in.yaml: a signed-in visitor goes straight
  through; anyone else gives their email and proves it with a code sent there.
  (@local: those scenarios read the outbox, which only the local runner has.)

  Scenario: a signed-in user goes straight through
    Given a JWT for "dana@example.test"
    When I run the "sign-in" flow
    Then the flow passes the "Signed in?" check
    And the flow completes
    And "$.authInfo.sessionJwt.sub" equals "U2dana"

  @local
  Scenario: a visitor signs in with a code sent by email
    Given no JWT
    When I run the "sign-in" flow
    Then the flow waits on the "Welcome" screen
    When I fill in "email" with "eli@example.test"
    And I click "Email me a code"
    Then a code was sent to "eli@example.test"
    When I enter the code sent to "eli@example.test"
    Then the flow completes
    And "$.authInfo.sessionJwt.sub" equals "U2eli"
    And "$.authInfo.sessionJwt.amr" equals ["email"]

  @local
  Scenario: a wrong code keeps the visitor on the code screen
    Given no JWT
    When I run the "sign-in" flow
    And I fill in "email" with "eli@example.test"
    And I click "Email me a code"
    And I fill in "code" with "000000"
    And I click "Verify"
    Then the flow waits on the "Enter code" screen
    And "$.screen.state.errorType" equals "InvalidOTPCode"
"""

FLOW = """\
# A flow in flowspec's YAML shorthand (every key is described in the README, "The test
# world"). Descope exports (.json) can sit beside it: `flowspec pull <flowId>` fetches them.
flow: sign-in
name: Sign in
start: Signed in?
tasks:
  Signed in?:
    condition:
      - branch: Signed in
        when:
          - user.loggedIn: is-true
        then: End
      - else: Welcome
  Welcome:
    screen: welcome
    inputs: [email]
    buttons:
      Email me a code: Send code
  Send code:
    action: sign-in-otp-email
    next: Enter code
  Enter code:
    screen: enter-code
    inputs: [code]
    buttons:
      Verify: Check code
  Check code:
    action: verify-code-otp-email
    next: End
  End:
    action: logged-in
"""

PROJECT = """\
# The local Descope project the features run against.
#
# Tokens are signed with a key each process generates. For `flowspec token` to mint a
# JWT that a separately started `flowspec serve` accepts, give both the same key: add
# `signingKey: signing-key.pem` here, the path (relative to this folder) of an RSA
# private key, made e.g. with
# `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out signing-key.pem`.
projectId: P2example
roles:
  admin:
    permissions: [User Admin]
  member:
    permissions: []
"""

USERS = """\
# The people scenarios sign in as; README, "The test world", lists every field.
users:
  - userId: U2dana
    loginIds: [dana@example.test]
    name: Dana Admin
    email: dana@example.test
    verifiedEmail: true
    roles: [admin]

  - userId: U2eli
    loginIds: [eli@example.test]
    name: Eli Member
    email: eli@example.test
    verifiedEmail: true
    roles: [member]
"""

STEPS = '''\
"""The steps features use: flowspec's step library, registered with behave by importing it.

Its steps are listed in docs/steps.md (or by `flowspec steps`). A project adds steps of
its own in more modules beside this one (behave runs every .py file in steps/).
"""

import flowspec.bdd.steps  # noqa: F401
'''

ENVIRONMENT = '''\
"""behave's hooks for this project: flowspec checks the test world before any feature runs,
fills Examples tables that come from files, skips @local scenarios on other backends, and
records outcomes for --compare."""

from flowspec.bdd.hooks import (
    after_all,
    after_scenario,
    before_all,
    before_feature,
    before_scenario,
)

__all__ = ["after_all", "after_scenario", "before_all", "before_feature", "before_scenario"]
'''

BEHAVE_SETTINGS = """\
[tool.behave]
paths = ["features"]
default_format = "flowspec"
# Besides the console (default_format, which behave adds when the command line names no
# formatter), every run writes its reports into the folder reports/.
format = ["flowspec.reports"]
outfiles = ["reports"]
show_skipped = false
summary = true
# behave's runner with a context that notes where a step set a value more cheaply.
runner = "flowspec.bdd.runner:Runner"

[tool.behave.formatters]
flowspec = "flowspec.bdd.console:Console"
"flowspec.reports" = "flowspec.bdd.reporting:Reports"
"""

PYPROJECT = "# behave's settings: `flowspec run` and a bare `behave` read them.\n" + BEHAVE_SETTINGS

GITIGNORE = "reports/*\n"

# Every file but pyproject.toml, by its path in the new project.
FILES: dict[str, str] = {
    "features/example.feature": FEATURE,
    "steps/flowspec_steps.py": STEPS,
    "environment.py": ENVIRONMENT,
    "scenarios/project.yaml": PROJECT,
    "scenarios/users.yaml": USERS,
    f"scenarios/flows/{EXAMPLE_FLOW}.yaml": FLOW,
    ".gitignore": GITIGNORE,
}

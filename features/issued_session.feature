Feature: The session a flow issues
  What the tokens of a run say: the JWT a run starts with, and the session and refresh
  JWTs it issues on completion, read as decoded claims.

  Background:
    Given a JWT for "ada@acme.test"
    When I run the "step-up" flow
    And I fill in "code" with the code from my authenticator app
    And I click "Verify"

  Scenario: a stepped-up session carries su, the factors used and a short life
    Then the session JWT has claims
      """
      su: true
      amr: [email, totp, mfa]
      sub: U2ada
      drn: DS
      iss: "#string"
      """
    And the session JWT expires within 10 minutes
    And the refresh JWT expires in more than 7 days
    And the session JWT grants the role "admin"
    And the session JWT grants the permission "Impersonate"
    And "$.authInfo.sessionJwt.amr" contains only ["mfa", "totp", "email"]
    And "$.authInfo.sessionJwt.amr" contains any of ["webauthn", "totp"]
    And "$.authInfo.sessionJwt.amr" does not contain "pwd"
    And "$.authInfo.sessionJwt.exp" is greater than 0

  Scenario: every claim of the session JWT has the expected type
    Then "$.authInfo.sessionJwt" matches
      """
      {"sub": "#string", "iss": "#string", "iat": "#number", "exp": "#number",
       "drn": "DS", "su": true, "amr": "#[3] #string", "roles": ["admin"],
       "permissions": "#[] #string", "tenants": {"acme": {"roles": [], "permissions": []}},
       "act": "##object", "tu": "##boolean"}
      """

  Scenario: one table checks several things and reports every failing row
    Then these checks hold
      | path                            | matcher        | expected            |
      | $.flow.status                   | equals         | "completed"         |
      | $.authInfo.sessionJwt.su        | is             | true                |
      | $.authInfo.sessionJwt.amr       | contains       | "totp"              |
      | $.authInfo.sessionJwt.amr       | has count      | 3                   |
      | $.authInfo.sessionJwt.sub       | matches regex  | ^U2                 |
      | $.authInfo.sessionJwt.exp       | matches        | "#number"           |
      | $.authInfo.sessionJwt.act       | is absent      |                     |
      | $.flow.path[*].name             | contains       | "Check code"        |

  Scenario: the flow context at a glance
    Then the flow context matches
      """
      flow:
        id: step-up
        status: completed
      user:
        loggedIn: true
        email: "#email"
        totp: true
      session:
        status: accepted
      jwtClaims:
        sub: U2ada
      """
    And each of "$.flow.path[*].type" matches "#string"
    And "$.flow.path" has 7 items

Feature: Starting a flow with a JWT
  Descope's runner starts every run anonymous; a refresh JWT, given as the input "jwt"
  (the console runner's way) or as the SDK's refresh token, starts it as that user. A
  JWT that fails verification starts the run anonymous and says why.

  Scenario: a valid JWT signs the run in and exposes its claims
    Given a JWT for "ada@acme.test"
    When I run the "profile-update" flow
    Then the JWT is accepted
    And "$.user.loggedIn" is true
    And "$.user.userId" equals "U2ada"
    And "$.jwtClaims.sub" equals "U2ada"
    And "$.jwtClaims.drn" equals "DSR"
    And "$.jwtClaims.roles" contains "admin"
    And "$.jwtClaims.permissions" contains "Impersonate"
    And "$.jwtClaims.tenants.acme" exists
    And "$.form.jwt" is absent

  Scenario: the SDK's refresh token signs the run in too
    Given a JWT for "bob@acme.test"
    And the JWT is sent as the SDK's refresh token
    When I run the "profile-update" flow
    Then the JWT is accepted
    And the flow waits on the "Edit profile" screen

  @local
  Scenario: extra claims of the JWT reach jwtClaims
    Given a JWT for "bob@acme.test" with claims
      """
      {"nsec": {"plan": "gold"}, "dct": "acme"}
      """
    When I run the "profile-update" flow
    Then "$.jwtClaims.nsec.plan" equals "gold"
    And "$.user.tenant.name" equals "Acme Corp"

  @local
  Scenario Outline: a JWT that fails verification starts the run anonymous
    Given <token>
    When I run the "profile-update" flow
    Then the JWT is rejected as "<reason>"
    And "$.user.loggedIn" is false
    And "$.jwtClaims" equals {}
    And the flow waits on the "Sign in first" screen

    Examples:
      | token                                         | reason        |
      | an expired JWT for "bob@acme.test"            | expired       |
      | a forged JWT for "bob@acme.test"              | bad-signature |
      | a JWT for "bob@acme.test" from another project | wrong-issuer  |
      | a malformed JWT                               | malformed     |

  Scenario Outline: every test user's JWT signs the run in as that user
    Given a JWT for "<login>"
    When I run the "profile-update" flow
    Then the JWT is accepted
    And "$.user.userId" equals "<userId>"
    And "$.user.name" equals "<name>"

    @from:scenarios/examples/test-users.csv
    Examples: the users of scenarios/users.yaml
      | login | userId | name |

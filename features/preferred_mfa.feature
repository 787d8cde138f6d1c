Feature: Preferred MFA
  A signed-in user proves it is them with the second factor they prefer, kept in the
  custom attribute preferredMfaMethod. A user with no preference picks one, and it is
  remembered for next time.

  Scenario: a user who prefers an authenticator app enters its code
    Given a JWT for "ada@acme.test"
    When I run the "preferred-mfa" flow
    Then the flow passes the "Preferred method?" check
    And "$.flow.path[?(@.name == 'Preferred method?')].branch" equals "Authenticator app"
    When I fill in "code" with the code from my authenticator app
    And I click "Verify"
    Then the flow completes
    And "$.authInfo.sessionJwt.amr" equals ["email", "totp", "mfa"]

  @local
  Scenario: a user who prefers text messages gets a code on their verified phone
    Given a JWT for "gina@globex.test"
    When I run the "preferred-mfa" flow
    Then a code was sent to "+15555550123"
    And nothing was sent to "gina@globex.test"
    When I enter the code sent to "+15555550123"
    Then the flow completes
    And "$.authInfo.sessionJwt.amr" contains "sms"

  @local
  Scenario: a user who prefers a passkey signs with it
    Given a JWT for "tom@acme.test"
    When I run the "preferred-mfa" flow
    Then "$.flow.action" equals "webauthnGet"
    When I answer the passkey prompt
    Then the flow completes
    And "$.authInfo.sessionJwt.amr" contains "webauthn"

  @local
  Scenario: a passkey from another device is refused
    Given a JWT for "tom@acme.test"
    When I run the "preferred-mfa" flow
    And I answer the passkey prompt with another device
    Then the flow fails
    And "$.error.code" equals "WebAuthnFailed"
    And "$.authInfo.sessionJwt" is absent

  Scenario: a user with no preference picks the authenticator app and enrolls it
    Given a JWT for "bob@acme.test"
    When I run the "preferred-mfa" flow
    Then the flow waits on the "Choose a method" screen
    When I click "Authenticator app"
    Then the flow waits on the "Scan QR code" screen
    When I fill in "code" with the code from my authenticator app
    And I click "Verify"
    Then the flow completes
    And "$.user.customAttributes.preferredMfaMethod" equals "totp"
    And "$.user.totp" is true

  Scenario: without a JWT the user is asked to sign in first
    Given no JWT
    When I run the "preferred-mfa" flow
    Then the flow waits on the "Sign in first" screen

  Scenario Outline: each preference takes its own branch
    Given a JWT for "<user>"
    When I run the "preferred-mfa" flow
    Then "$.flow.path[?(@.name == 'Preferred method?')].branch" equals "<branch>"

    @from:scenarios/examples/preferred-methods.yaml
    Examples: the test users and their preferences

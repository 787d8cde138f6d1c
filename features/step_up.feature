Feature: Step-up MFA
  Before a sensitive action a signed-in user proves it is them again with their second
  factor. The session issued afterwards carries su: true, so the application can trust
  it for that action.

  Scenario: a user with an authenticator app steps up
    Given a JWT for "ada@acme.test"
    When I run the "step-up" flow
    Then the flow passes the "Second factor?" check
    And the flow waits on the "Verify TOTP" screen
    When I fill in "code" with the code from my authenticator app
    And I click "Verify"
    Then the flow completes
    And "$.authInfo.sessionJwt.su" is true
    And "$.authInfo.sessionJwt.amr" contains "totp"
    And "$.authInfo.sessionJwt.amr" contains "mfa"
    And "$.authInfo.sessionJwt.drn" equals "DS"
    And "$.authInfo.refreshJwt.drn" equals "DSR"

  Scenario: a wrong code keeps the user on the code screen with an error
    Given a JWT for "ada@acme.test"
    When I run the "step-up" flow
    And I fill in "code" with "000000"
    And I click "Verify"
    Then the flow waits on the "Verify TOTP" screen
    And "$.screen.state.errorType" equals "InvalidTOTPCode"
    And "$.authInfo.sessionJwt" is absent

  Scenario: a user without a second factor enrolls one first, then steps up
    Given a JWT for "bob@acme.test"
    When I run the "step-up" flow
    Then the flow fails the "Second factor?" check
    And the flow waits on the "Set up MFA first" screen
    When I click "Set up now"
    Then the flow waits on the "Choose a second factor" screen
    When I click "Authenticator app"
    And I fill in "code" with the code from my authenticator app
    And I click "Verify"
    Then the flow completes
    And the flow goes through "Enroll"
    And "$.user.totp" is true
    And "$.authInfo.sessionJwt.su" is true

  Scenario: without a JWT there is nothing to step up
    Given no JWT
    When I run the "step-up" flow
    Then the flow waits on the "Sign in first" screen
    And the flow does not go through "Step up"

Feature: The corpus's preferred-MFA flows run unedited
  preferred-mfa-flow.json asks for the user's preferred second factor;
  sign-up-or-in-using-users-preferred-mfa-method.json signs in with a password first and
  runs it as a sub-flow.

  Scenario: a signed-in user who prefers TOTP verifies a code
    Given a JWT for "tess@acme.test"
    When I run the "preferred-mfa-flow" flow
    Then the flow waits on the "Verify TOTP" screen
    When I fill in "code" with the code from my authenticator app
    And I click "Verify OTP code"
    Then the flow completes
    And "$.authInfo.sessionJwt.amr" contains "totp"

  Scenario: a user signs in with a password, then with their preferred TOTP
    When I run the "sign-up-or-in-using-users-preferred-mfa-method" flow
    And I fill in "externalId" with "tess@acme.test"
    And I fill in "password" with "tess-secret-phrase"
    And I click "Continue"
    Then the flow waits on the "Verify TOTP" screen
    When I fill in "code" with the code from my authenticator app
    And I click "Verify OTP code"
    Then the flow completes
    And the flow goes through "preferred-mfa-flow"
    And "$.authInfo.sessionJwt.sub" equals "U2tess"
    And "$.authInfo.sessionJwt.amr" contains "pwd"
    And "$.authInfo.sessionJwt.amr" contains "totp"
    And "$.authInfo.sessionJwt.amr" contains "mfa"

  Scenario: a user who forgot their username gets it by email through a connector
    Given the connector "Send Username" answers
      """
      {"status": "sent"}
      """
    When I run the "sign-up-or-in-using-users-preferred-mfa-method" flow
    And I click "Forgot Username?"
    And I fill in "email" with "bob@acme.test"
    And I click "Continue"
    Then the flow waits on the "Username Sent" screen
    And the flow passes the "Does user exist?" check
    And "$.connectors['Send Username'].status" equals "sent"
    And "$.connectors['Send Username'].request.bodyHTML" contains "bob@acme.test"

  Scenario: an unknown email is told the user does not exist
    When I run the "sign-up-or-in-using-users-preferred-mfa-method" flow
    And I click "Forgot Username?"
    And I fill in "email" with "stranger@acme.test"
    And I click "Continue"
    Then the flow waits on the "User Doesn't Exist" screen
    And the flow does not go through "Send Username"

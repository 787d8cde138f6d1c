Feature: MFA enrollment
  A signed-in user without a second factor enrolls an authenticator app or a passkey.
  A user who already has one goes straight through.

  Scenario: a user without a second factor enrolls an authenticator app
    Given a JWT for "bob@acme.test"
    When I run the "mfa-enrollment" flow
    Then the flow waits on the "Choose a second factor" screen
    When I click "Authenticator app"
    Then the flow waits on the "Scan QR code" screen
    And "$.screen.state.totp.provisionUrl" exists
    When I fill in "code" with the code from my authenticator app
    And I click "Verify"
    Then the flow completes
    And "$.user.totp" is true
    And "$.user.customAttributes.preferredMfaMethod" equals "totp"
    And "$.authInfo.sessionJwt.amr" contains "totp"

  Scenario: a wrong code does not enroll the authenticator app
    Given a JWT for "bob@acme.test"
    When I run the "mfa-enrollment" flow
    And I click "Authenticator app"
    And I fill in "code" with "123456"
    And I click "Verify"
    Then the flow waits on the "Scan QR code" screen
    And "$.screen.state.errorType" equals "InvalidTOTPCode"
    And "$.user.totp" is false

  Scenario: a user on a device with passkey support enrolls a passkey
    Given a JWT for "bob@acme.test"
    And the device supports passkeys
    When I run the "mfa-enrollment" flow
    And I click "Passkey"
    Then "$.flow.action" equals "webauthnCreate"
    When I answer the passkey prompt
    Then the flow completes
    And "$.user.webauthn" is true
    And "$.user.customAttributes.preferredMfaMethod" equals "passkey"
    And "$.authInfo.sessionJwt.amr" contains "webauthn"

  Scenario: a device without passkey support falls back to an authenticator app
    Given a JWT for "bob@acme.test"
    And the device does not support passkeys
    When I run the "mfa-enrollment" flow
    And I click "Passkey"
    Then the flow waits on the "Passkeys unavailable" screen
    When I click "Use an authenticator app"
    Then the flow waits on the "Scan QR code" screen

  Scenario: a user who already has an authenticator app goes straight through
    Given a JWT for "gina@globex.test"
    When I run the "mfa-enrollment" flow
    Then the flow completes
    And "$.flow.path[?(@.name == 'Already enrolled?')].branch" equals "Has an authenticator app"
    And the flow does not go through "Choose a second factor"

  Scenario: a user who already has a passkey goes straight through
    Given a JWT for "pat@globex.test"
    When I run the "mfa-enrollment" flow
    Then the flow completes
    And "$.flow.path[?(@.name == 'Already enrolled?')].branch" equals "Has a passkey"

  Scenario: without a JWT the user is asked to sign in first
    Given no JWT
    When I run the "mfa-enrollment" flow
    Then the flow waits on the "Sign in first" screen

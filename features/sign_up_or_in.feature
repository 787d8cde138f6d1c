@local
Feature: Sign up or in
  One front door for everyone: a visitor gives their email and proves it with a code, a
  magic link or Google. Newcomers tell us their name. Anyone on a device that supports
  passkeys and without one yet is offered to add one before the session is issued.
  (@local: every scenario reads the outbox or sets what Google answers.)

  Scenario: a returning user signs in with a code sent by email
    When I run the "sign-up-or-in" flow
    And I fill in "email" with "bob@acme.test"
    And I click "Email me a code"
    Then a code was sent to "bob@acme.test"
    And the flow waits on the "Enter code" screen
    When I enter the code sent to "bob@acme.test"
    Then the flow completes
    And "$.authInfo.firstSeen" is false
    And "$.authInfo.sessionJwt.sub" equals "U2bob"
    And "$.authInfo.sessionJwt.amr" equals ["email"]
    And the flow does not go through "About you"

  Scenario: a wrong code keeps the visitor on the code screen
    When I run the "sign-up-or-in" flow
    And I fill in "email" with "bob@acme.test"
    And I click "Email me a code"
    And I fill in "code" with "000000"
    And I click "Verify"
    Then the flow waits on the "Enter code" screen
    And "$.screen.state.errorType" equals "InvalidOTPCode"

  Scenario: an expired code is refused and a new one works
    When I run the "sign-up-or-in" flow
    And I fill in "email" with "bob@acme.test"
    And I click "Email me a code"
    And the code sent to "bob@acme.test" expires
    And I enter the code sent to "bob@acme.test"
    Then "$.screen.state.errorType" equals "OTPExpired"
    When I click "Send again"
    And I enter the code sent to "bob@acme.test"
    Then the flow completes

  Scenario: a newcomer signs up with a magic link and tells us their name
    Given "nora@acme.test" is a new user
    When I run the "sign-up-or-in" flow
    And I fill in "email" with "nora@acme.test"
    And I click "Email me a link"
    Then the flow waits on the "Check your inbox" screen
    And a magic link was sent to "nora@acme.test"
    When I click the magic link sent to "nora@acme.test"
    Then the flow waits on the "About you" screen
    When I fill in "fullName" with "Nora Newcomer"
    And I click "Continue"
    Then the flow completes
    And "$.authInfo.firstSeen" is true
    And "$.user.name" equals "Nora Newcomer"
    And "$.user.verifiedEmail" is true

  Scenario: an expired magic link shows an error, and a fresh one still signs in
    When I run the "sign-up-or-in" flow
    And I fill in "email" with "bob@acme.test"
    And I click "Email me a link"
    And the magic link sent to "bob@acme.test" expires
    And I click the magic link sent to "bob@acme.test"
    Then the flow waits on the "Check your inbox" screen
    And "$.screen.state.errorType" equals "MagicLinkExpired"
    When I click "Send again"
    And I click the magic link sent to "bob@acme.test"
    Then the flow completes

  Scenario: a returning user on a passkey-capable device adds a passkey
    Given the device supports passkeys
    When I run the "sign-up-or-in" flow
    And I fill in "email" with "bob@acme.test"
    And I click "Email me a code"
    And I enter the code sent to "bob@acme.test"
    Then the flow waits on the "Promote passkeys" screen
    When I click "Add a passkey"
    And I answer the passkey prompt
    Then the flow completes
    And "$.user.webauthn" is true
    And "$.authInfo.sessionJwt.amr" equals ["email", "webauthn", "mfa"]

  Scenario: a user may decline the passkey offer
    Given the device supports passkeys
    When I run the "sign-up-or-in" flow
    And I fill in "email" with "bob@acme.test"
    And I click "Email me a code"
    And I enter the code sent to "bob@acme.test"
    And I click "Not now"
    Then the flow completes
    And "$.user.webauthn" is false

  Scenario: a user who already has a passkey is not offered another
    Given the device supports passkeys
    When I run the "sign-up-or-in" flow
    And I fill in "email" with "pat@globex.test"
    And I click "Email me a code"
    And I enter the code sent to "pat@globex.test"
    Then the flow completes
    And the flow does not go through "Promote passkeys"

  Scenario: without passkey support nobody is offered one
    Given the device does not support passkeys
    When I run the "sign-up-or-in" flow
    And I fill in "email" with "bob@acme.test"
    And I click "Email me a code"
    And I enter the code sent to "bob@acme.test"
    Then the flow completes
    And the flow fails the "Offer a passkey?" check

  Scenario: a newcomer signs up with Google
    Given the google provider returns "gus@gmail.test"
    And "gus@gmail.test" is a new user
    When I run the "sign-up-or-in" flow
    And I continue with Google
    Then the flow waits on the "About you" screen
    When I click "Continue"
    Then the flow completes
    And "$.authInfo.firstSeen" is true
    And "$.authInfo.sessionJwt.amr" equals ["oauth"]

  Scenario: a returning user signs in with Google
    Given the google provider returns "bob@acme.test"
    When I run the "sign-up-or-in" flow
    And I continue with Google
    Then the flow completes
    And "$.authInfo.sessionJwt.sub" equals "U2bob"
    And "$.authInfo.firstSeen" is false

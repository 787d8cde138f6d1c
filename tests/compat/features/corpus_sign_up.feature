Feature: The corpus's sign-up flow runs unedited
  sign-up.json: an email and magic link, a phone verified by SMS, a name, a session.

  Scenario: a new user signs up with email and verifies their phone
    Given "newcomer@acme.test" is a new user
    When I run the "sign-up" flow
    And I fill in "email" with "newcomer@acme.test"
    And I click "Sign Up"
    And I click the magic link sent to "newcomer@acme.test"
    Then the flow waits on the "User Information - Unverified - Phone Only" screen
    When I fill in "phone" with "+15555550199"
    And I click "Verify"
    And I fill in "code" with the code sent to "+15555550199"
    And I click "Verify OTP code"
    Then the flow waits on the "User Information" screen
    When I fill in "fullName" with "Nora Newcomer"
    And I click "Submit"
    Then the flow completes
    And "$.authInfo.firstSeen" is true
    And "$.authInfo.sessionJwt.amr" contains "email"
    And "$.user.verifiedPhone" is true

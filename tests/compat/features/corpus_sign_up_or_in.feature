Feature: The corpus's sign-up-or-in flow runs unedited
  sign-up-or-in.json: a magic link for a known user, a risk check, a session.

  Scenario: a returning user signs in with a magic link
    Given the risk score is 0.2
    When I run the "sign-up-or-in" flow
    And I fill in "email" with "bob@acme.test"
    And I click "Continue"
    And I click the magic link sent to "bob@acme.test"
    Then the flow completes
    And the flow goes through "Risk Calculator"
    And "$.authInfo.sessionJwt.sub" equals "U2bob"
    And "$.authInfo.firstSeen" is false

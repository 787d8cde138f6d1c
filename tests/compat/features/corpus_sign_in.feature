Feature: The corpus's sign-in flow runs unedited
  sign-in.json: an email, a magic link, a risk check, a session.

  Scenario: a known user signs in with a magic link
    Given the risk score is 0.1
    When I run the "sign-in" flow
    And I fill in "email" with "bob@acme.test"
    And I click "Sign In"
    Then the flow waits on the "Magic Link Sent" screen
    And a magic link was sent to "bob@acme.test"
    When I click the magic link sent to "bob@acme.test"
    Then the flow completes
    And "$.authInfo.sessionJwt.sub" equals "U2bob"
    And "$.authInfo.sessionJwt.amr" contains "email"
    And "$.authInfo.firstSeen" is false

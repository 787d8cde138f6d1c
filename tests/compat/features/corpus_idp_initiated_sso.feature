Feature: The corpus's IdP-initiated SSO flow runs unedited
  idp-initiated-sso.json: without IdP-initiated SSO, a password sign-in.

  Scenario: a user signs in with their password
    When I run the "idp-initiated-sso" flow
    Then the flow waits on the "Welcome Screen" screen
    When I fill in "externalId" with "pat@acme.test"
    And I fill in "password" with "correct-horse-battery"
    And I click "Log In"
    Then the flow completes
    And "$.authInfo.sessionJwt.sub" equals "U2pat"
    And "$.authInfo.sessionJwt.amr" contains "pwd"

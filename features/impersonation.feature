Feature: Impersonation
  Support staff act as another user to see what they see. Only holders of the
  Impersonate permission may: a project admin for anyone, a tenant admin for the users
  of their own tenant. The session issued names the impersonator in its act claim.

  Scenario: an admin may impersonate a member of their tenant
    Given an admin JWT
    When I run the "impersonation" flow
    Then the flow passes the role check
    When I fill in "loginId" with "bob@acme.test"
    And I click "Impersonate"
    Then the flow completes
    And "$.authInfo.sessionJwt.act.sub" is the admin's user id
    And "$.authInfo.sessionJwt.sub" equals "U2bob"
    And "$.user.email" equals "bob@acme.test"

  Scenario: a project admin may impersonate a user of any tenant
    Given an admin JWT
    When I run the "impersonation" flow
    And I fill in "loginId" with "gina@globex.test"
    And I click "Impersonate"
    Then the flow completes
    And "$.authInfo.sessionJwt.sub" equals "U2gina"
    And "$.authInfo.sessionJwt.act.sub" is the admin's user id

  Scenario: a tenant admin may impersonate a member of their own tenant
    Given a tenant-admin JWT
    When I run the "impersonation" flow
    Then the flow passes the role check
    And "$.flow.path[?(@.name == 'Role check')].branch" equals "Tenant admin"
    When I fill in "loginId" with "bob@acme.test"
    And I click "Impersonate"
    Then the flow completes
    And "$.authInfo.sessionJwt.act.sub" is the tenant-admin's user id

  Scenario: a tenant admin may not impersonate a user of another tenant
    Given a tenant-admin JWT
    When I run the "impersonation" flow
    And I fill in "loginId" with "gina@globex.test"
    And I click "Impersonate"
    Then the flow waits on the "Not allowed" screen
    And the flow fails the impersonate check
    And "$.authInfo.sessionJwt" is absent

  Scenario: a member fails the role check
    Given a member JWT
    When I run the "impersonation" flow
    Then the flow fails the role check
    And the flow waits on the "Access denied" screen

  Scenario: an anonymous visitor is asked to sign in
    Given no JWT
    When I run the "impersonation" flow
    Then the flow waits on the "Sign in first" screen
    And the flow does not go through "Role check"

  Scenario: impersonating someone who does not exist shows an error on the same screen
    Given an admin JWT
    When I run the "impersonation" flow
    And I fill in "loginId" with "nobody@acme.test"
    And I click "Impersonate"
    Then the flow waits on the "Choose user" screen
    And "$.screen.state.errorType" equals "UserNotFound"
    And "$.error.code" equals "UserNotFound"

Feature: Profile update
  A signed-in user changes their name and job title. The flow only serves users who
  arrive with a valid session; everyone else is asked to sign in first.

  Scenario: a signed-in member saves a new name and job title
    Given a JWT for "bob@acme.test"
    When I run the "profile-update" flow
    Then the flow waits on the "Edit profile" screen
    When I fill in "name" with "Robert Member"
    And I fill in "jobTitle" with "Engineer"
    And I click "Save"
    Then the flow completes
    And "$.user.name" equals "Robert Member"
    And "$.user.customAttributes.jobTitle" equals "Engineer"
    And "$.authInfo.user.name" equals "Robert Member"
    And "$.authInfo.sessionJwt.sub" is the user id of "bob@acme.test"

  Scenario: saving without a job title keeps the attribute unset
    Given a JWT for "bob@acme.test"
    When I run the "profile-update" flow
    And I click "Save" with
      | name | value  |
      | name | Bobby  |
    Then the flow completes
    And "$.user.name" equals "Bobby"
    And "$.user.customAttributes.jobTitle" is absent

  Scenario: cancelling leaves the profile as it was
    Given a JWT for "bob@acme.test"
    When I run the "profile-update" flow
    And I click "Cancel"
    Then the flow completes
    And the flow does not go through "Save profile"
    And "$.user.name" equals "Bob Member"

  Scenario: without a JWT the user is asked to sign in first
    Given no JWT
    When I run the "profile-update" flow
    Then the flow waits on the "Sign in first" screen
    And "$.user.loggedIn" is false
    And "$.session.status" equals "none"

@kore
Feature: Kore.ai shape
  An authorization profile: URLs holding {tenant} and dynamic fields, scopes as key/value
  pairs, the token placed in the configured part of later API calls, and a "test
  authorization" action whose verdict is what the API really answered.

  @must @rfc6749
  Scenario: The tenant and the dynamic fields are filled into the authorization URL
    Source: RFC 6749 §3.1
    When alice starts linking her account
    Then the authorization request goes to the tenant "acme"
    And the authorization request carries "audience" = "gauntlet-bots"
    And the authorization request asks for exactly the configured scopes

  @must @rfc6750
  Scenario: The test action reports success with what the API answered
    Source: RFC 6750 §2
    When alice links her account
    And alice sends the "test_authorization" request
    Then the answer says "\"result\":\"success\""
    And the answer says "\"status\":200"
    And the answer says "\"headers\":{"
    And the platform called the resource API with a Bearer header

  @must @rfc6750
  Scenario: After the provider revoked the token the test action reports failure
    Source: RFC 6750 §3.1; RFC 7009 §2
    When alice links her account
    And the provider revokes alice's tokens
    And alice sends the "test_authorization" request
    Then the answer says "\"result\":\"failure\""
    And the answer says "\"status\":401"

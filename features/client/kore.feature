@kore
Feature: Kore.ai shape
  An authorization profile: URLs holding {tenant} and dynamic fields, scopes as key/value
  pairs, the token placed in the configured part of later API calls (the header, or with
  "Path Param" a segment of the API path), and a "test authorization" action whose verdict is
  what the API really answered.

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
    And the platform called the resource API with the token where the profile places it

  @must @rfc6750
  Scenario: After the provider revoked the token the test action reports failure
    Source: RFC 6750 §3.1; RFC 7009 §2
    When alice links her account
    And the provider revokes alice's tokens
    And alice sends the "test_authorization" request
    Then the answer says "\"result\":\"failure\""
    And the answer says "\"status\":401"

  # Path Param: RFC 6750 §2 defines the header, the form body and the query, and §5.3 says not
  # to pass bearer tokens in page URLs: a path reaches server logs and Referer as a query does.
  # Putting the token there is the vendor's choice; once the profile makes it, the platform must
  # keep to it, and Gauntlet's journals and reports show the segment only masked.
  @must @path_param
  Scenario: The token goes in the API path the profile names, and nowhere else
    Source: Kore.ai authorization profile (Path Param); RFC 6750 §2, §5.3
    When alice links her account
    And alice sends the "test_authorization" request
    Then the answer says "\"result\":\"success\""
    And the platform called the resource API with the token in the path only

  @should @path_param
  Scenario: After a refresh the API path carries the new access token
    Source: RFC 6749 §6; RFC 6750 §3.1
    Given the provider will issue access tokens that expire at once
    When alice links her account
    And alice asks the platform whether she is linked
    Then alice is linked
    And the last API call carries the refreshed access token in its path

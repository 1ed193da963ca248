@rfc6750 @resource
Feature: bearer tokens at the resource
  The protected resource accepts the access token in the Authorization header and answers a
  missing, invalid or doubled token as RFC 6750 §3 says: a refusal with a Bearer challenge is a
  MUST (§3); the status codes and error codes of §3.1 are SHOULDs.

  @must
  Scenario: The access token opens the resource
    Source: RFC 6750 §2.1
    Given the client holds tokens
    When the client requests the resource with the access token
    Then the answer is 200

  @must
  Scenario: A request without a token gets a Bearer challenge
    Source: RFC 6750 §3
    When the client requests the resource without a token
    Then the resource refuses with a Bearer challenge

  @should
  Scenario: A request without a token gets 401 and a challenge without error code
    Source: RFC 6750 §3, §3.1
    When the client requests the resource without a token
    Then the answer is 401 with a Bearer challenge
    And the Bearer challenge has no error code

  @must
  Scenario: An invalid token is refused with a Bearer challenge
    Source: RFC 6750 §3
    When the client requests the resource with an invalid token
    Then the resource refuses with a Bearer challenge

  @should
  Scenario: An invalid token gets invalid_token
    Source: RFC 6750 §3.1
    When the client requests the resource with an invalid token
    Then the answer is 401 with a Bearer challenge
    And the Bearer challenge has error "invalid_token"

  @must @insufficient_scope
  Scenario: A token without the resource's scope is refused with a Bearer challenge
    Source: RFC 6750 §3
    Given the client holds tokens for the insufficient scope
    When the client requests the resource with the access token
    Then the resource refuses with a Bearer challenge

  @should @insufficient_scope
  Scenario: A token without the resource's scope gets insufficient_scope
    Source: RFC 6750 §3.1
    Given the client holds tokens for the insufficient scope
    When the client requests the resource with the access token
    Then the answer is 403
    And the Bearer challenge has error "insufficient_scope"

  @should
  Scenario: A token in both the header and the query is a malformed request
    Source: RFC 6750 §2, §3.1
    Given the client holds tokens
    When the client requests the resource with the access token in the header and the query
    Then the answer is 400
    And the Bearer challenge has error "invalid_request"

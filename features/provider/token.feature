@rfc6749
Feature: token endpoint
  The token endpoint authenticates confidential clients, answers with a Bearer token that no
  cache keeps, and reports errors as RFC 6749 §5.2 says.

  @must
  Scenario: The token response is a Bearer token
    Source: RFC 6749 §5.1; RFC 6750 §4
    Given the user approved an authorization request
    When the client redeems the code
    Then the token endpoint answers with a Bearer access token

  @must
  Scenario: The token response may not be cached
    Source: RFC 6749 §5.1
    Given the user approved an authorization request
    When the client redeems the code
    Then the answer carries Cache-Control no-store

  @should
  Scenario: The token response also carries Pragma no-cache
    Source: RFC 6749 §5.1
    Given the user approved an authorization request
    When the client redeems the code
    Then the answer carries Pragma no-cache

  @should
  Scenario: The token response says when the token expires
    Source: RFC 6749 §5.1
    Given the user approved an authorization request
    When the client redeems the code
    Then the token response has expires_in

  @must
  Scenario: The granted scope is stated when the request named none
    Source: RFC 6749 §3.3, §5.1
    Given the user approved an authorization request without scope
    When the client redeems the code
    Then the token response states the granted scope

  @must
  Scenario: A confidential client that does not authenticate is refused
    Source: RFC 6749 §3.2.1, §5.2
    Given the user approved an authorization request
    When the client redeems the code without authenticating
    Then the token endpoint refuses with "invalid_client"

  @must
  Scenario: A wrong secret over HTTP Basic gets 401 with WWW-Authenticate
    Source: RFC 6749 §2.3.1, §5.2
    Given the user approved an authorization request
    When the client redeems the code with a wrong secret over HTTP Basic
    Then the token endpoint answers 401 "invalid_client" with WWW-Authenticate

  @must
  Scenario: A wrong secret in the request body is refused
    Source: RFC 6749 §2.3.1, §5.2
    Given the user approved an authorization request
    When the client redeems the code with a wrong secret in the request body
    Then the token endpoint refuses with "invalid_client"

  @must @unknown_client
  Scenario: An unknown client is refused
    Source: RFC 6749 §3.2.1, §5.2
    Given the user approved an authorization request
    When an unknown client redeems the code
    Then the token endpoint refuses with "invalid_client"

  @must
  Scenario Outline: A token request with <case> gets a §5.2 error
    Source: RFC 6749 §5.2
    When the client sends a token request with <case>
    Then the token endpoint refuses with "<error>"
    And the error follows RFC 6749 §5.2

    Examples:
      | case                  | error                  |
      | an unknown grant_type | unsupported_grant_type |
      | an unknown code       | invalid_grant          |
      | no code               | invalid_request        |

  @should
  Scenario: Token errors may not be cached
    Source: RFC 6749 §5.1, §5.2
    When the client sends a token request with an unknown code
    Then the answer carries Cache-Control no-store

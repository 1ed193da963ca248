@rfc6749
Feature: authorization code
  A code is single-use, short-lived, and bound to the client and the redirect URI it was
  issued for.

  @must
  Scenario: A code is redeemed once
    Source: RFC 6749 §4.1.2, §10.5
    Given the user approved an authorization request
    When the client redeems the code
    And the client redeems the code again
    Then the token endpoint refuses with "invalid_grant"

  @should @token_check
  Scenario: Tokens issued from a replayed code are revoked
    Source: RFC 6749 §4.1.2, §10.5
    Given the user approved an authorization request
    When the client redeems the code
    And the client redeems the code again
    Then the first access token no longer works

  @must @code_expiry @waits
  Scenario: An expired code is refused
    Source: RFC 6749 §4.1.2
    Given the user approved an authorization request
    When the code has expired
    And the client redeems the code
    Then the token endpoint refuses with "invalid_grant"

  @must @other_client
  Scenario: A code issued to one client is refused to another
    Source: RFC 6749 §4.1.3
    Given the user approved an authorization request
    When the other client redeems the code
    Then the token endpoint refuses with "invalid_grant"

  @must
  Scenario: A different redirect_uri at the token endpoint is refused
    Source: RFC 6749 §4.1.3
    Given the user approved an authorization request
    When the client redeems the code with a different redirect_uri
    Then the token endpoint refuses with "invalid_grant"

  @must
  Scenario: A redirect_uri with its trailing slash toggled at the token endpoint is refused
    Source: RFC 6749 §4.1.3
    Given the user approved an authorization request
    When the client redeems the code with the redirect_uri's trailing slash toggled
    Then the token endpoint refuses with "invalid_grant"

  @must
  Scenario: A missing redirect_uri at the token endpoint is refused
    Source: RFC 6749 §4.1.3
    Given the user approved an authorization request
    When the client redeems the code without redirect_uri
    Then the token endpoint refuses with "invalid_grant" or "invalid_request"

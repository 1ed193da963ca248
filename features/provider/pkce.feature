@rfc7636
Feature: PKCE
  The server binds every code to the code_challenge it was issued with and redeems it only
  with the matching code_verifier.

  @must @pkce_required @rfc9700
  Scenario: A request without code_challenge is refused
    Source: RFC 7636 §4.4.1; RFC 9700 §2.1.1
    Given an authorization request
    And it has no code_challenge
    When the user approves it
    Then the request is refused with "invalid_request" and no code

  @must @public_client @rfc9700
  Scenario: A public client's request without code_challenge is refused
    Source: RFC 7636 §4.4.1; RFC 9700 §2.1.1
    Given an authorization request of the public client
    And it has no code_challenge
    When the user approves it
    Then the request is refused with "invalid_request" and no code

  @must
  Scenario: An unsupported code_challenge_method is refused
    Source: RFC 7636 §4.4.1
    Given an authorization request
    And its code_challenge_method is "S512"
    When the user approves it
    Then the request is refused with "invalid_request" and no code

  @should @rfc9700 @plain_refused
  Scenario: The plain method is refused
    Source: RFC 7636 §4.2; RFC 9700 §2.1.1
    Given an authorization request
    And it uses the plain method
    When the user approves it
    Then the request is refused with "invalid_request" and no code

  @should @rfc9700 @plain_refused
  Scenario: A challenge without a method (plain) is refused
    Source: RFC 7636 §4.3; RFC 9700 §2.1.1
    Given an authorization request
    And it has no code_challenge_method
    When the user approves it
    Then the request is refused with "invalid_request" and no code

  @must
  Scenario: The matching verifier redeems the code
    Source: RFC 7636 §4.5, §4.6
    Given the user approved an authorization request
    When the client redeems the code
    Then the token endpoint answers with a Bearer access token

  @must
  Scenario: A wrong verifier is refused
    Source: RFC 7636 §4.6
    Given the user approved an authorization request
    When the client redeems the code with a wrong code_verifier
    Then the token endpoint refuses with "invalid_grant"

  @must @rfc9700
  Scenario: A missing verifier is refused
    Source: RFC 7636 §4.6; RFC 9700 §4.8.2
    Given the user approved an authorization request
    When the client redeems the code without code_verifier
    Then the token endpoint refuses with "invalid_grant" or "invalid_request"

  @must @rfc9700 @pkce_optional
  Scenario: A verifier for a code issued without a challenge is refused
    Source: RFC 9700 §4.8.2
    Given the user approved an authorization request without code_challenge
    When the client redeems the code with a code_verifier
    Then the token endpoint refuses with "invalid_grant" or "invalid_request"

  @should
  Scenario: A 42-character verifier is refused even when it matches
    Source: RFC 7636 §4.1, §4.6
    Given the user approved an authorization request whose verifier is 42 characters long
    When the client redeems the code
    Then the token endpoint refuses with "invalid_grant" or "invalid_request"

@rfc6749 @refresh
Feature: refresh tokens
  A refresh token gets new tokens for no more than the original scope. A public client's
  refresh tokens rotate: a replaced one is refused and its reuse revokes the family (RFC 9700
  §4.14.2, which also allows sender-constrained tokens instead — Gauntlet does not test those).
  Rotation for confidential clients is allowed, not required (RFC 6749 §6), so it is not judged.

  @must
  Scenario: A refresh token gets a new access token
    Source: RFC 6749 §6
    Given the client holds tokens
    When the client refreshes the token
    Then the token endpoint answers with a Bearer access token

  @must @public_client @rfc9700
  Scenario: A public client's refresh tokens are rotated
    Source: RFC 9700 §4.14.2
    Given the public client holds tokens
    When the client refreshes the token
    Then a new refresh token was issued
    When the client refreshes with the previous refresh token
    Then the token endpoint refuses with "invalid_grant"

  @must @public_client @rfc9700
  Scenario: Reuse of a public client's rotated refresh token revokes its family
    Source: RFC 9700 §4.14.2
    Given the public client holds tokens
    When the client refreshes the token
    And the client refreshes with the previous refresh token
    And the client refreshes the token
    Then the token endpoint refuses with "invalid_grant"

  @must
  Scenario: A refresh may not widen the scope
    Source: RFC 6749 §6
    Given the client holds tokens
    When the client refreshes the token with an additional scope "gauntlet-wider"
    Then the token endpoint refuses with "invalid_scope"

  @must
  Scenario: An unknown refresh token is refused
    Source: RFC 6749 §5.2, §6
    When the client refreshes with an unknown refresh token
    Then the token endpoint refuses with "invalid_grant"

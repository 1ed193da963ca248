@rfc7009 @revocation
Feature: token revocation
  The revocation endpoint authenticates its caller, answers 200 for any token it does not hold,
  and a revoked token stops working.

  @must @token_check
  Scenario: A revoked access token stops working
    Source: RFC 7009 §2.1, §2.2
    Given the client holds tokens
    When the client revokes the access token
    Then the answer is 200
    And the access token no longer works

  @must
  Scenario: An unknown token is answered 200
    Source: RFC 7009 §2.2
    When the client revokes an unknown token
    Then the answer is 200

  @must @token_check
  Scenario: The caller must authenticate
    Source: RFC 7009 §2.1, §2.2.1; RFC 6749 §5.2
    Given the client holds tokens
    When the client revokes the access token without authenticating
    Then the answer is an "invalid_client" error
    And the access token still works

  @must @token_check @other_client
  Scenario: Another client cannot revoke the client's token
    Source: RFC 7009 §2.1
    Given the client holds tokens
    When the other client revokes the access token
    Then the access token still works

  @should @token_check @refresh
  Scenario: Revoking a refresh token also revokes its access tokens
    Source: RFC 7009 §2.1
    Given the client holds tokens
    When the client revokes the refresh token
    Then the answer is 200
    And the access token no longer works

@rfc7662 @introspection
Feature: token introspection
  Only an authorized caller may introspect; an active token is described, anything else is
  exactly {"active": false}.

  @must
  Scenario: The caller must be authorized
    Source: RFC 7662 §2.1, §4
    Given the client holds tokens
    When the client introspects the access token without authenticating
    Then the answer refuses the request

  @should
  Scenario: An unauthenticated caller gets 401
    Source: RFC 7662 §2.3; RFC 6749 §5.2
    Given the client holds tokens
    When the client introspects the access token without authenticating
    Then the answer is 401

  @must
  Scenario: An active token is active
    Source: RFC 7662 §2.2
    Given the client holds tokens
    When the client introspects the access token
    Then the introspection says active

  @should
  Scenario: An active token's scope, client_id and exp are given
    Source: RFC 7662 §2.2
    Given the client holds tokens
    When the client introspects the access token
    Then the introspection gives scope, client_id and exp

  @must
  Scenario Outline: Introspecting <token> gives exactly {"active": false}
    Source: RFC 7662 §2.2, §4
    When the client introspects <token>
    Then the introspection is exactly {"active": false}

    Examples:
      | token             |
      | an unknown token  |
      | a malformed token |

  @must @revocation
  Scenario: A revoked token is exactly {"active": false}
    Source: RFC 7662 §2.2; RFC 7009 §2.1
    Given the client holds tokens
    When the client revokes the access token
    And the client introspects the access token
    Then the introspection is exactly {"active": false}

@rfc6749
Feature: scope
  The platform asks for exactly the scopes it is configured for, encoded as RFC 6749 says, and
  copes with a provider that grants less or says nothing about the grant.

  @must
  Scenario: Exactly the configured scopes are requested, space-delimited
    Source: RFC 6749 §3.3
    When alice starts linking her account
    Then the authorization request asks for exactly the configured scopes
    And the scope parameter is space-delimited

  @should
  Scenario: A narrower grant is accepted
    Source: RFC 6749 §3.3, §5.1
    Given the provider will grant only the scope "read"
    When alice links her account
    Then the platform tells alice that linking succeeded
    And alice is linked

  @should
  Scenario: A token response without scope is handled
    Source: RFC 6749 §5.1
    Given the token endpoint will answer without a scope
    When alice links her account
    Then the platform tells alice that linking succeeded
    And alice is linked

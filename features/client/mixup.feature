@rfc9207 @rfc9700 @mixup
Feature: mix-up defence
  When the provider identifies itself in the authorization response (iss), the platform checks
  that the response comes from the provider it sent the user to. A platform that talks to one
  authorization server only needs no mix-up defence (RFC 9700 §4.4.2): its profile says so with
  client.single_provider = true, and these scenarios are then not applicable.

  @should
  Scenario: A response from the wrong issuer is refused
    Source: RFC 9207 §2.4; RFC 9700 §4.4.2
    Given the provider will answer the next authorization with the issuer "https://attacker.invalid"
    When alice links her account
    Then the platform tells alice that linking failed
    And the platform made no token request

  @should @iss @discovery
  Scenario: A response without iss is refused when the metadata promises it
    Source: RFC 9207 §2.4
    Given the provider will answer the next authorization without an issuer
    When alice links her account
    Then the platform tells alice that linking failed
    And the platform made no token request

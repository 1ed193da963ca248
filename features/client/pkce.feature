@rfc7636
Feature: PKCE
  The platform proves, at the token endpoint, that it is the party that started the flow:
  a fresh random code_verifier per flow, sent as an S256 code_challenge at the authorization
  endpoint and in clear at the token endpoint.

  @must @rfc9700
  Scenario: The authorization request carries an S256 code challenge
    Source: RFC 7636 §4.2, §4.3; RFC 9700 §2.1.1
    When alice starts linking her account
    Then the authorization request carries a code_challenge of 43 characters
    And the code_challenge_method is S256

  @must
  Scenario: The verifier sent to the token endpoint matches the challenge
    Source: RFC 7636 §4.5, §4.6
    When alice links her account
    Then the platform sends a code_verifier that matches the code_challenge

  @must
  Scenario: The verifier is 43 to 128 unreserved characters
    Source: RFC 7636 §4.1
    When alice links her account
    Then the code_verifier is 43 to 128 characters of [A-Za-z0-9-._~]

  @must
  Scenario: Every flow uses a fresh verifier
    Source: RFC 7636 §4.1, §7.1
    When alice starts linking her account 20 times
    Then the 20 code challenges are all different

  @must @rfc9700
  Scenario: The platform does not fall back to plain after an error
    Source: RFC 7636 §7.2; RFC 9700 §2.1.1
    Given the provider will answer the next authorization with invalid_request
    When alice links her account
    And alice starts linking her account again
    Then the code_challenge_method is S256

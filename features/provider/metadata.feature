@rfc8414 @metadata
Feature: server metadata
  The RFC 8414 metadata document is how clients find the server's endpoints and what it
  supports; it must name the issuer exactly and agree with what the server does.

  @must
  Scenario: The metadata names the issuer and the endpoints
    Source: RFC 8414 §2, §3.2, §3.3
    When the client fetches the metadata
    Then the metadata's issuer is the issuer identifier
    And the metadata names the authorization and token endpoints and response type "code"
    And the metadata's endpoints are the ones in use

  @must @rfc7636
  Scenario: S256 is advertised
    Source: RFC 8414 §2; RFC 7636 §4.2; RFC 9700 §2.1.1
    When the client fetches the metadata
    Then code_challenge_methods_supported includes "S256"

  @should @rfc9700 @plain_refused
  Scenario: plain is not advertised
    Source: RFC 9700 §2.1.1
    When the client fetches the metadata
    Then code_challenge_methods_supported does not include "plain"

  @must @rfc9207
  Scenario: iss is sent exactly when the metadata says so
    Source: RFC 9207 §3
    When the client fetches the metadata
    And the user approves an authorization request
    Then iss is in the response exactly when the metadata advertises it

  @should @rfc9700
  Scenario: Neither the implicit nor the password grant is offered
    Source: RFC 9700 §2.1.2, §2.4
    When the client fetches the metadata
    Then the metadata offers neither the implicit nor the password grant

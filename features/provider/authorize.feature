@rfc6749
Feature: authorization endpoint
  A valid request comes back with a code and the state exactly as sent; an invalid one whose
  client and redirect URI are valid comes back as an error redirect with the state.

  @must
  Scenario: A valid request is answered with a code and the state
    Source: RFC 6749 §4.1.2
    Given an authorization request
    When the user approves it
    Then the browser is sent to the redirect URI with a code
    And the response carries the state byte for byte

  @must
  Scenario: A state with reserved and non-ASCII characters comes back byte for byte
    Source: RFC 6749 §4.1.2, appendix A.5
    Given an authorization request
    And its state is "a b+c/d?e=f&g%25h#i;j€ü"
    When the user approves it
    Then the browser is sent to the redirect URI with a code
    And the response carries the state byte for byte

  @must
  Scenario: A long state comes back byte for byte
    Source: RFC 6749 §4.1.2
    Given an authorization request
    And its state is 1000 characters long
    When the user approves it
    Then the browser is sent to the redirect URI with a code
    And the response carries the state byte for byte

  @must
  Scenario: Unknown parameters are ignored and their order does not matter
    Source: RFC 6749 §3.1
    Given an authorization request
    And it has an unknown parameter "gauntlet_extra"
    And its parameters are in reverse order
    When the user approves it
    Then the browser is sent to the redirect URI with a code

  @must
  Scenario: A request without response_type is an error redirect
    Source: RFC 6749 §4.1.2.1
    Given an authorization request
    And it has no response_type
    When the user approves it
    Then the browser is sent to the redirect URI with error "invalid_request" or "unsupported_response_type"
    And the response carries the state byte for byte

  @must
  Scenario: An unknown response_type is an error redirect
    Source: RFC 6749 §4.1.2.1
    Given an authorization request
    And its response_type is "gauntlet_unknown"
    When the user approves it
    Then the browser is sent to the redirect URI with error "unsupported_response_type"
    And the response carries the state byte for byte

  @must
  Scenario: An unknown scope is refused, or ignored and the granted scope stated
    Source: RFC 6749 §3.3, §4.1.2.1
    Given an authorization request
    And its scope also asks for "gauntlet-no-such-scope"
    When the user approves it
    Then the scope "gauntlet-no-such-scope" is refused with "invalid_scope" or ignored and the granted scope stated
    And the response carries the state byte for byte

  @should @rfc9700
  Scenario: The implicit grant issues no access token
    Source: RFC 9700 §2.1.2; RFC 6749 §4.2.2.1
    Given an authorization request
    And its response_type is "token"
    When the user approves it
    Then the browser is given no access token

  @must
  Scenario Outline: A repeated <parameter> is refused
    Source: RFC 6749 §3.1
    Given an authorization request
    And it repeats the <parameter> parameter
    When the user approves it
    Then the request is refused with "invalid_request" and no code

    Examples:
      | parameter      |
      | state          |
      | scope          |
      | response_type  |
      | code_challenge |

  @must @deny
  Scenario: Refused consent is an access_denied redirect with the state
    Source: RFC 6749 §4.1.2.1
    Given an authorization request
    When the user denies it
    Then the browser is sent to the redirect URI with error "access_denied"
    And the response carries the state byte for byte

  @must @iss @rfc9207
  Scenario: iss is on success responses
    Source: RFC 9207 §2
    Given an authorization request
    When the user approves it
    Then the response carries iss equal to the issuer

  @must @iss @rfc9207
  Scenario: iss is on error responses
    Source: RFC 9207 §2
    Given an authorization request
    And its scope also asks for "gauntlet-no-such-scope"
    When the user approves it
    Then the response carries iss equal to the issuer

@rfc6749 @rfc6750
Feature: token exchange and use
  The code is redeemed once, with the configured client authentication; the token travels only
  in the Authorization header and is refreshed when it expires.

  @must
  Scenario: A successful link
    Source: RFC 6749 §4.1
    When alice links her account
    Then the platform tells alice that linking succeeded
    And alice is linked

  @must
  Scenario: The code is redeemed exactly once with the configured client authentication
    Source: RFC 6749 §2.3.1, §4.1.3; RFC 9700 §4.5
    When alice links her account
    Then the platform redeemed the code exactly once
    And the token request authenticates the client as configured
    And the token request is form-encoded

  @must @bearer_header
  Scenario: The access token is sent as a Bearer header
    Source: RFC 6750 §2.1, §2.3; for an MCP client, MCP authorization (2025-06-18 and later), "Access Token Usage"
    An MCP client's resource API is its MCP server: MCP makes the header a MUST and the query
    string a MUST NOT for every request to it.
    When alice links her account
    And alice asks the platform whether she is linked
    Then the platform called the resource API with a Bearer header
    And the platform never put a token in a URL

  @must @rfc9700
  Scenario: The token never reaches the browser
    Source: RFC 9700 §4.3; RFC 6750 §5.3
    When alice links her account
    And alice asks the platform whether she is linked
    Then no page or URL the browser saw contains a token

  @should
  Scenario: An expired access token is refreshed
    Source: RFC 6749 §6; RFC 6750 §3.1
    Given the provider will issue access tokens that expire at once
    When alice links her account
    And alice asks the platform whether she is linked
    Then alice is linked
    And the platform refreshed the access token

  @must
  Scenario: The token type is compared without regard to case
    Source: RFC 6749 §5.1, §7.1
    Given the token endpoint will answer with token_type "bearer"
    When alice links her account
    Then the platform tells alice that linking succeeded
    And alice is linked

  @must
  Scenario: A token of a type the platform does not understand is not used
    Source: RFC 6749 §7.1
    Given the token endpoint will answer with token_type "mac"
    When alice links her account
    And alice asks the platform whether she is linked
    Then the platform never used the access token

  @must
  Scenario: A token response without expires_in is accepted
    Source: RFC 6749 §5.1
    Given the token endpoint will answer without expires_in
    When alice links her account
    Then the platform tells alice that linking succeeded
    And alice is linked

  @must
  Scenario: Unknown members of the token response are ignored
    Source: RFC 6749 §5.1
    Given the token endpoint will answer with members the platform does not know
    When alice links her account
    Then the platform tells alice that linking succeeded
    And alice is linked

  @must @rfc9700
  Scenario: The rotated refresh token replaces the old one
    Source: RFC 6749 §6; RFC 9700 §4.14.2
    # Judged only on the refreshes the platform makes: one that never refreshes cannot break
    # rotation ("An expired access token is refreshed" reports that it does not refresh).
    Given the provider will issue access tokens that expire at once
    And the first refreshed access token will expire after one second
    When alice links her account
    And alice asks the platform whether she is linked
    And a second passes
    And alice asks the platform whether she is linked
    Then every refresh the platform made used the newest refresh token

  @should @rfc9700
  Scenario: Requests that find the access token refused at once share one refresh
    Source: RFC 6749 §6; RFC 9700 §4.14.2
    # The access token alone is revoked once linking is over: the resource refuses it as an
    # expired one (invalid_token) while the refresh token stays good. The provider keeps the
    # first refresh until another of the flow arrives (or half the platform's stated token
    # timeout, at most 2 s), so requests the platform handles at once overlap on any machine.
    # @should: no RFC orders single-flight; with a rotating provider each extra refresh is a
    # replay that revokes the grant, so the user loses the link. Judged only on the refreshes
    # the platform makes ("An expired access token is refreshed" reports one that never does).
    Given the provider will hold the first refresh until a second arrives
    When alice links her account
    And the provider revokes alice's access token
    And alice asks the platform whether she is linked 3 times at once
    Then no refresh token was presented twice

  @should
  Scenario: A revoked token leads back to login
    Source: RFC 6750 §3.1; RFC 7009 §2
    When alice links her account
    And the provider revokes alice's tokens
    And alice asks the platform whether she is linked
    Then alice is not linked

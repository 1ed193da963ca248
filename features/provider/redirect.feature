@rfc6749 @rfc9700
Feature: redirect URI exactness
  The server compares the redirect_uri with the registered ones byte for byte and, when it does
  not match, shows an error page instead of sending the browser (and a code) anywhere.

  @must
  Scenario Outline: A redirect URI with <variant> is refused without a redirect
    Source: RFC 6749 §3.1.2, §4.1.2.1; RFC 9700 §2.1, §4.1.3
    Given an authorization request
    And its redirect_uri is the registered one with <variant>
    When the user approves it
    Then the server shows an error page and redirects nowhere

    Examples:
      | variant                      |
      | the trailing slash added or removed |
      | the path in upper case       |
      | an extra query parameter     |
      | another port                 |
      | another scheme               |
      | a path suffix                |
      | the last path character cut  |
      | userinfo before the host     |
      | a fragment                   |

  @must @unknown_client
  Scenario: An unknown client is refused without a redirect
    Source: RFC 6749 §4.1.2.1
    Given an authorization request
    And its client_id is "gauntlet-no-such-client"
    When the user approves it
    Then the server shows an error page and redirects nowhere

  @must
  Scenario: A request without client_id is refused without a redirect
    Source: RFC 6749 §4.1.1, §4.1.2.1
    Given an authorization request
    And it has no client_id
    When the user approves it
    Then the server shows an error page and redirects nowhere

  @must @several_redirect_uris
  Scenario: redirect_uri may not be left out when several are registered
    Source: RFC 6749 §3.1.2.3
    Given an authorization request
    And it has no redirect_uri
    When the user approves it
    Then the server shows an error page and redirects nowhere

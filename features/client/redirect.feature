@rfc6749 @rfc9700
Feature: redirect URI
  The platform uses exactly a registered redirect URI, repeats it exactly at the token endpoint,
  and its callback sends nobody anywhere else.

  @must
  Scenario: The redirect_uri is exactly a registered one
    Source: RFC 6749 §3.1.2; RFC 9700 §2.1
    When alice starts linking her account
    Then the redirect_uri is exactly a registered one

  @must
  Scenario: The token request repeats the redirect_uri exactly
    Source: RFC 6749 §4.1.3
    When alice links her account
    Then the token request repeats the redirect_uri exactly

  @must
  Scenario: The callback is not an open redirector
    Source: RFC 9700 §4.11.1
    When alice starts linking her account
    And alice approves at the provider
    And alice returns to the platform with a return address on another site
    Then the platform did not send alice to another site

  @should
  Scenario: The callback page does not leak the code through Referer
    Source: RFC 9700 §4.2.4
    When alice links her account
    Then the callback page cannot leak the code through Referer

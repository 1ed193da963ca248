@rfc6749 @rfc9700
Feature: state and CSRF protection
  The state parameter binds the callback to the browser session that started the flow. A
  callback with a missing, altered, replayed or foreign state is refused, and no code is
  exchanged for it.

  @must
  Scenario: The authorization request carries a state
    Source: RFC 6749 §10.12; RFC 9700 §4.7.1
    When alice starts linking her account
    Then the authorization request carries a state

  @must
  Scenario: The state is unguessable
    Source: RFC 6749 §10.10, §10.12
    When alice starts linking her account 20 times
    Then the 20 states are all different
    And every state carries at least 128 bits judged by its length and alphabet

  @must
  Scenario: A callback with an altered state is refused
    Source: RFC 6749 §10.12; RFC 9700 §4.7
    When alice starts linking her account
    And alice approves at the provider
    And alice returns to the platform with the state altered
    Then the platform tells alice that linking failed
    And the platform made no token request
    And alice is not linked

  @must
  Scenario: A callback without state is refused
    Source: RFC 6749 §10.12; RFC 9700 §4.7
    When alice starts linking her account
    And alice approves at the provider
    And alice returns to the platform with the state removed
    Then the platform tells alice that linking failed
    And the platform made no token request
    And alice is not linked

  @must
  Scenario: A replayed callback is refused
    Source: RFC 6749 §10.12, §4.1.2; RFC 9700 §4.7
    When alice links her account
    And alice returns to the platform with the same callback again
    Then the platform tells alice that linking failed
    And the platform redeemed the code exactly once

  @must
  Scenario: A state issued in one user's session is refused in another's
    Source: RFC 6749 §10.12; RFC 9700 §4.7.1
    When alice starts linking her account
    And alice approves at the provider
    And mallory returns to the platform with alice's callback
    Then the platform tells mallory that linking failed
    And the platform made no token request, or holds the link until the chat confirms it
    And mallory is not linked
    And alice is not linked

  @must
  Scenario Outline: A callback with a repeated <parameter> is refused
    Source: RFC 6749 §3.1, §4.1.2
    When alice starts linking her account
    And alice approves at the provider
    And alice returns to the platform with the <parameter> repeated
    Then the platform tells alice that linking failed
    And the platform made no token request

    Examples:
      | parameter |
      | code      |
      | state     |

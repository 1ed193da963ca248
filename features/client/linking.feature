@rfc6749
Feature: account-linking attacks
  Two users, each with a browser and a session of their own: alice and mallory. Whatever
  reaches the platform in whichever browser, no session ends up linked to the other user's
  provider account. The state is bound to the browser that started the flow, the session
  linked is the one the state was issued for, and in a chat channel, whose login link works
  in any browser, the chat user confirms the link before it is made.

  @must @rfc9700
  Scenario: A victim's callback in an attacker's browser with a flow of its own links nobody
    Source: RFC 6749 §10.12; RFC 9700 §4.5, §4.7.1
    When mallory starts linking his account
    And alice starts linking her account
    And alice logs in at the provider as herself
    And mallory returns to the platform with alice's callback
    Then mallory is not linked to alice's account
    And the platform tells mallory that linking failed
    And the platform made no token request, or holds the link until the chat confirms it
    And alice is not linked

  @must @rfc9700
  Scenario: An attacker's callback in a victim's browser with a flow of its own links nobody
    Source: RFC 6749 §10.12; RFC 9700 §4.7, §4.7.1
    When alice starts linking her account
    And mallory starts linking his account
    And mallory logs in at the provider as himself
    And alice returns to the platform with mallory's callback
    Then alice is not linked to mallory's account
    And the platform tells alice that linking failed
    And the platform made no token request, or holds the link until the chat confirms it
    And mallory is not linked

  @must @rfc9700
  Scenario: An attacker's authorization link completed by a victim links nobody
    Source: RFC 6749 §10.12; RFC 9700 §4.7.1
    When mallory starts linking his account
    And alice opens mallory's authorization link
    And alice logs in at the provider as herself
    And alice returns to the platform
    Then mallory is not linked to alice's account
    And the platform tells alice that linking failed
    And the platform made no token request, or holds the link until the chat confirms it
    And alice is not linked

  @should @chat @rfc8628
  Scenario: An attacker's chat login link opened by a victim does not link the attacker's chat
    Source: RFC 6749 §10.12; RFC 8628 §5.4
    When mallory asks for a login link in his chat
    And alice opens mallory's login link
    And alice logs in at the provider as herself
    And alice returns to the platform
    And mallory finishes linking in his chat
    Then mallory is not linked to alice's account

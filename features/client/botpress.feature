@botpress
Feature: Botpress shape
  Several bots share one global /oauth callback: the state alone routes each callback to the
  bot whose flow it is, the token lands in that bot's integration state, and webhooks reach
  the bot linked to the provider's external id.

  @must @rfc6749
  Scenario: Every bot's flow uses the one global callback
    Source: RFC 6749 §3.1.2
    When alice starts linking her account
    Then the redirect_uri is exactly a registered one
    And the redirect_uri ends with "/oauth"

  @must @rfc6749
  Scenario: A callback meant for bot A links bot A, never bot B
    Source: RFC 6749 §10.12; RFC 9700 §4.7
    When alice starts linking her account
    And alice sends the "other_bot_start" request
    And alice approves at the provider
    And alice returns to the platform
    Then alice is linked
    When alice sends the "other_bot_probe" request
    Then the answer says "\"linked\":false"

  @must
  Scenario: A webhook for the linked external id reaches the linked bot
    Source: RFC 6749 §4.1.2
    When alice links her account
    And alice sends the "webhook" request
    Then the answer says "\"bot\":\"bot-a\""

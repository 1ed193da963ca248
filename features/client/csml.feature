@csml
Feature: CSML Studio shape
  A chat turn answers with an OAuthRequest (button text, scope); after consent the bot flow
  receives an event on the next chat turn: success, or the error's cause. The access token
  stays with the bot, never in the chat.

  @must @rfc6749
  Scenario: The chat answers with an OAuthRequest carrying the scope and the button text
    Source: RFC 6749 §3.3, §4.1.1
    When alice starts linking her account
    Then the chat answer is an OAuthRequest with the configured scope and a button text

  @must @rfc6750
  Scenario: The next chat turn carries the success event, without the token
    Source: RFC 6750 §5.3; RFC 9700 §4.3
    When alice links her account
    And alice sends the next chat turn
    Then the chat event is "oauth_success"
    And the chat turn shows no token

  @must @rfc6749
  Scenario: The next chat turn carries the cause of a refusal
    Source: RFC 6749 §4.1.2.1
    Given the provider will answer the next authorization with access_denied
    When alice links her account
    And alice sends the next chat turn
    Then the chat event is "oauth_error" with cause "access_denied"

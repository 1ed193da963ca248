@csml
Feature: CSML Studio shape
  A chat turn answers with an OAuthRequest (button text, scope); after consent the bot flow
  receives an event on the next chat turn: success, or the error's cause. The access token
  stays with the bot, never in the chat. A chatbot-wide service account is one
  client_credentials token for every user, held on the server.

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

  # The chatbot-wide service account (the seed: one set of credentials on the server for every
  # user, "never expose them to the end users!"). The token is the whole platform's: these
  # scenarios run alone (@serial) and count what the platform sent after their first turn.
  @must @rfc6749 @service_account @serial
  Scenario: The service token is obtained with client_credentials and client authentication
    Source: RFC 6749 §4.4.2, §2.3.1
    When alice sends a chat turn that uses the service account
    Then the answer says the service answered
    And every service call used a token the platform obtained with client_credentials
    And every client_credentials grant authenticated the client as configured

  # RFC 6749 leaves reuse to the client; the shape is one credential for every user, and a
  # grant per turn multiplies the tokens alive and the load on the provider.
  @should @rfc6749 @service_account @serial
  Scenario: One service token serves every user's turns
    Source: RFC 6749 §4.4; CSML Studio (chatbot-wide service accounts)
    When alice sends a chat turn that uses the service account
    And mallory sends a chat turn that uses the service account
    And alice sends a chat turn that uses the service account
    Then the answer says the service answered
    And every user's turn used one service token, from at most one grant

  # No refresh token comes with client_credentials (§4.4.3): a token the API refuses is
  # replaced by a new grant, once (RFC 6750 §3.1: the client MAY request a new one and retry).
  @should @rfc6750 @service_account @serial
  Scenario: A service token the provider no longer accepts is obtained anew, once
    Source: RFC 6749 §4.4.3; RFC 6750 §3.1
    When alice sends a chat turn that uses the service account
    And the provider revokes the service token
    And mallory sends a chat turn that uses the service account
    Then the answer says the service answered
    And the platform obtained one new service token and the service answered with it

  @must @rfc6750 @service_account @serial
  Scenario: The service token is never shown to a user
    Source: RFC 6750 §5.3; CSML Studio (chatbot-wide service accounts)
    When alice sends a chat turn that uses the service account
    Then the answer says the service answered
    And the chat turn shows no service token

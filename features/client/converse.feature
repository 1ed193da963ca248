@converse
Feature: Converse shape
  The session variables authCode and accessToken: the callback stores the code, a separate
  Get Access Token step exchanges it in the POST body and stores the token; without a code the
  user is sent to log in; with a token, nothing is exchanged again; a channel that hands over
  the token directly never exchanges a code.

  @must @rfc6749
  Scenario: The code is exchanged at the Get Access Token step, not at the callback
    Source: RFC 6749 §4.1.3
    When alice starts linking her account
    And alice approves at the provider
    And alice delivers the callback without the next step
    Then the platform made no token request
    When alice sends the "get_access_token" request
    Then the answer says "\"exchanged\":true"
    And the platform redeemed the code exactly once
    And the token request is form-encoded

  @must @rfc6749
  Scenario: Get Access Token without a code sends the user to log in
    Source: RFC 6749 §4.1.1
    When alice sends the "get_access_token" request
    Then the answer says "\"login\""
    And the answer says "\"accessToken\":false"

  @must @rfc6749
  Scenario: A stored token is used as it is: no second exchange
    Source: RFC 6749 §4.1.2, §10.5
    When alice links her account
    And alice sends the "get_access_token" request
    Then the answer says "\"exchanged\":false"
    And the platform redeemed the code exactly once
    And alice is linked

  @must @rfc6750
  Scenario: A token handed over by the channel is used without any code exchange
    Source: RFC 6750 §2.1
    Given alice's channel hands the platform an access token
    Then alice is linked
    And the platform called the resource API with the handed-over token

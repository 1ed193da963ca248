@ocs
Feature: OpenChatStudio as the provider
  Against the mock playing OpenChatStudio (/o/authorize/, /o/token/, PKCE S256 required, an
  extra team parameter, the client secret in the POST body), the platform follows its rules.

  @must @rfc8414
  Scenario: The platform uses OpenChatStudio's endpoints from its metadata
    Source: RFC 8414 §3.2
    When alice links her account
    Then the authorization request goes to the path "/o/authorize/"
    And the platform redeemed the code exactly once
    And the token request went to the path "/o/token/"

  @must
  Scenario: The platform sends OpenChatStudio's team parameter
    Source: OpenChatStudio developer documentation
    When alice starts linking her account
    Then the authorization request carries "team" = "gauntlet-team"

  @must @rfc6749
  Scenario: The client secret goes in the POST body
    Source: RFC 6749 §2.3.1
    When alice links her account
    Then the token request authenticates the client as configured

@rfc6749
Feature: error handling
  Whatever goes wrong at the provider, the user is told that linking failed, nothing is stored,
  no code is exchanged after an error callback, the platform keeps answering, and it does not
  hammer the provider with retries.

  @must
  Scenario Outline: An error at the authorization endpoint: <error>
    Source: RFC 6749 §4.1.2.1
    Given the provider will answer the next authorization with <error>
    When alice links her account
    Then the platform tells alice that linking failed
    And the platform made no token request
    And alice is not linked
    And the platform is still answering

    Examples:
      | error                   |
      | access_denied           |
      | invalid_scope           |
      | server_error            |
      | temporarily_unavailable |

  @must
  Scenario Outline: A failed token exchange: <failure>
    Source: RFC 6749 §5.2
    Given the token endpoint will answer <failure>
    When alice links her account
    Then the platform tells alice that linking failed
    And alice is not linked
    And the platform made at most 1 token request
    And the platform is still answering

    Examples:
      | failure                             |
      | with invalid_grant                  |
      | with invalid_client                 |
      | with status 500                     |
      | with status 503                     |
      | with malformed JSON                 |
      | without an access_token             |

  @should @cwe1088 @waits
  Scenario: A token endpoint that does not answer in time
    Source: CWE-1088; no OAuth RFC sets a client timeout, RFC 6749 §5.2 defines only error answers
    Given the token endpoint will not answer within the platform's token timeout
    When alice links her account
    Then the platform tells alice that linking failed
    And alice is not linked
    And the platform made at most 1 token request
    And the platform is still answering

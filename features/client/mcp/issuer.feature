@mcp @rfc9207 @mcp_2026_07_28
Feature: MCP authorization response validation (iss)
  Before an MCP client sends a code to any token endpoint it applies RFC 9207's iss check as
  MCP 2026-07-28 tabulates it: with authorization_response_iss_parameter_supported true, a
  present iss is compared with the issuer the client recorded from the validated metadata and
  an absent one is rejected; with it false or absent, a present iss is still compared and an
  absent one is proceeded with. The comparison is simple string comparison: no case folding,
  no default-port elision, no trailing-slash or percent-encoding normalisation. On a mismatch
  an error response is neither acted on nor shown. These rules are MCP's own, so they apply
  to an MCP client that talks to one authorization server too (client.single_provider).
  "Rejected" means the code reaches no token endpoint and alice is not linked. Earlier
  revisions have no iss rule.

  @must @iss
  Scenario: A response whose iss is the recorded issuer is accepted when the metadata promises iss
    Source: MCP authorization (2026-07-28), "Authorization Response Validation", row 1; RFC 9207 §2.4
    Given the MCP server's authorization server promises iss in its metadata
    When alice links her account
    Then the platform proceeded and alice is linked

  @must @iss
  Scenario: A response without iss is rejected when the metadata promises iss
    Source: MCP authorization (2026-07-28), "Authorization Response Validation", row 2; RFC 9207 §2.4
    Given the MCP server's authorization server promises iss in its metadata
    And the provider will answer the next authorization without an issuer
    When alice links her account
    Then the platform rejected the response: no token request, and alice is not linked

  @must @restart
  Scenario: A present iss is compared even when the metadata does not promise iss
    Source: MCP authorization (2026-07-28), "Authorization Response Validation", row 3; RFC 9207 §2.4 (local policy)
    The metadata sets authorization_response_iss_parameter_supported to false, and the
    response names another issuer: MCP compares a present iss regardless of the metadata.
    Given the platform is started afresh against an MCP server whose authorization server sends no iss and its metadata says so
    And the provider will answer the next authorization with the issuer "https://attacker.invalid"
    When alice tries to link her account on that platform
    Then the platform rejected the response: no token request, and alice is not linked

  @must @restart
  Scenario: A response whose iss is the recorded issuer is accepted when the metadata does not mention iss
    Source: MCP authorization (2026-07-28), "Authorization Response Validation", row 3; RFC 9207 §2.4
    The authorization server emits iss before updating its metadata, the case the third row
    is there for: an iss that matches is no reason to refuse.
    Given the platform is started afresh against an MCP server whose authorization server sends iss but its metadata does not mention it
    When alice tries to link her account on that platform
    Then the platform proceeded and alice is linked

  @must @restart
  Scenario Outline: A response without iss is accepted when the metadata does not promise iss
    Source: MCP authorization (2026-07-28), "Authorization Response Validation", row 4; RFC 9207 §2.4
    Rejection on an absent iss stays keyed on authorization_response_iss_parameter_supported
    until a later revision makes iss a MUST for authorization servers.
    Given the platform is started afresh against an MCP server <server>
    When alice tries to link her account on that platform
    Then the platform proceeded and alice is linked

    Examples:
      | metadata                    | server                                                                        |
      | the member is false         | whose authorization server sends no iss and its metadata says so             |
      | the member is absent        | whose authorization server neither sends iss nor mentions it in its metadata |

  @must
  Scenario: An iss that differs from the recorded issuer only by a trailing slash is rejected
    Source: MCP authorization (2026-07-28), "Authorization Response Validation"; RFC 3986 §6.2.1, §6.2.3
    Given the provider will answer the next authorization with its issuer plus a trailing slash
    When alice links her account
    Then the platform rejected the response: no token request, and alice is not linked

  @must
  Scenario: An iss that differs from the recorded issuer only in the case of its scheme and host is rejected
    Source: MCP authorization (2026-07-28), "Authorization Response Validation"; RFC 3986 §6.2.1, §6.2.2.1
    The issuer's port is explicit and not the default, so the scheme and host case stand for
    the normalisations MCP forbids (default-port elision, percent-encoding, …) alike.
    Given the provider will answer the next authorization with its issuer's scheme and host in upper case
    When alice links her account
    Then the platform rejected the response: no token request, and alice is not linked

  @must
  Scenario: An error response from another issuer is neither acted on nor shown
    Source: MCP authorization (2026-07-28), "Authorization Response Validation"; RFC 9207 §2.4
    The error, temporarily_unavailable, comes with an error_description the attacker wrote.
    Given the provider will answer the next authorization with an error from the issuer "https://attacker.invalid"
    When alice links her account
    Then alice was shown nothing of the error response
    And the platform made no token request
    And alice is not linked

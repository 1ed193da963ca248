@mcp @rfc9207 @mcp_2026_07_28
Feature: The MCP server's authorization server names itself in its authorization responses
  MCP clients compare a present iss with the issuer they recorded before any code reaches a
  token endpoint, and reject a response without iss when the metadata promises it (MCP
  2026-07-28, "Authorization Response Validation"). Its authorization server should send iss
  in every authorization response, error responses included; a later revision is expected to
  make that a MUST. That a server which sends iss advertises it is the generic rule "iss is
  sent exactly when the metadata says so" (RFC 9207 §3), judged for every server.

  @should
  Scenario: The MCP server's authorization server sends iss in a successful authorization response
    Source: MCP authorization (2026-07-28), "Authorization Response Validation"; RFC 9207 §2
    Given an authorization request for the MCP server
    When the user approves it
    Then the successful response names the authorization server in iss

  @should @deny
  Scenario: The MCP server's authorization server sends iss in an error response
    Source: MCP authorization (2026-07-28), "Authorization Response Validation"; RFC 9207 §2
    The user refuses consent: the one error every authorization server answers alike.
    Given an authorization request for the MCP server
    When the user denies it
    Then the error response names the authorization server in iss

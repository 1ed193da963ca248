@mcp @restart @tool_call
Feature: MCP step-up authorization
  An MCP server answers a call its token has too little scope for with 403 insufficient_scope,
  naming the scopes the call needs. An MCP client acting for a user then authorizes again for
  the challenged scopes together with those it asked for before (a server challenges only what
  the call needs, so asking for the challenge alone loses the rest), and it retries no more
  than a few times: a refusal that re-authorizing does not cure is permanent, and the user is
  told. Each scenario starts the platform afresh against an MCP server whose echo tool needs a
  scope the platform's client may not have, so its authorization server grants every request
  without it.

  @should @mcp_2026_07_28
  Scenario: Step-up asks for the challenged scope together with the scopes asked before
    Source: MCP authorization (2026-07-28), "Step-Up Authorization Flow" and "Scope Challenge Handling"; RFC 6750 §3.1
    Clients acting for a user should step up; 2026-07-28 makes the scope set the union of the
    scopes requested before and the challenged ones. 2025-11-25 leaves the set to the scope
    selection strategy, so it is not tagged.
    Given the platform is started afresh against an MCP server whose echo tool needs a scope its authorization server does not grant
    When alice links her account
    And alice asks the platform to use the tool "echo"
    And alice starts linking her account again
    Then alice's new authorization request asks for the scopes the tool "echo" was refused for and every scope asked before

  @should @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: A step-up that does not help is not retried for ever
    Source: MCP authorization (2025-11-25 and later), "Step-Up Authorization Flow"
    Clients retry the original request with the new authorization no more than a few times and
    then treat the refusal as a permanent authorization failure; they should implement retry
    limits. Here alice authorizes again whenever the platform asks, up to three times.
    Given the platform is started afresh against an MCP server whose echo tool needs a scope its authorization server does not grant
    When alice links her account
    And alice keeps asking the platform to use the tool "echo", authorizing again whenever it asks
    Then the platform told alice the tool "echo" cannot be used, after a few re-authorizations at most

@mcp @restart
Feature: MCP authorization server discovery
  An MCP client learns its server's authorization server from the server: the 401 names the
  protected-resource metadata (RFC 9728), or the client tries the well-known URLs, path-aware
  first. It uses that metadata only if it describes the server it called. It reads its
  authorization server's metadata at the well-known URLs MCP lists (RFC 8414 and OpenID Connect
  discovery, the issuer's path inserted first), uses it only if it names that issuer, and
  authorizes only with an authorization server that promises PKCE S256 and names an HTTPS
  authorization endpoint. Each scenario starts the platform afresh
  against an MCP server of its own (a client discovers when it connects); refusing to start is
  an answer like any other.

  @must @rfc9728 @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: Protected-resource metadata that describes another resource is not used
    Source: RFC 9728 §3.3; MCP authorization (2025-06-18 and later), "Authorization Server Discovery"
    The metadata names a resource that is no prefix of the server's URL, so no reading of §3.3
    lets a client use it.
    Given the platform is started afresh against an MCP server whose protected-resource metadata describes another resource
    When alice tries to link her account on that platform
    Then the platform used no metadata that describes another resource

  @must @rfc8414 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: No authorization when the metadata does not list code_challenge_methods_supported
    Source: MCP authorization (2025-11-25 and later), "Authorization Code Protection"; RFC 8414 §2
    Without code_challenge_methods_supported an authorization server may not check PKCE at all,
    and MCP clients must refuse to proceed.
    Given the platform is started afresh against an MCP server whose authorization server does not list code_challenge_methods_supported
    When alice tries to link her account on that platform
    Then the platform started no authorization without code_challenge_methods_supported

  @must @rfc9728 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: Without a metadata URL in the 401, the path-aware well-known URL is read
    Source: MCP authorization (2025-11-25 and later), "Protected Resource Metadata Discovery Requirements"; RFC 9728 §3.1
    Given the platform is started afresh against an MCP server whose 401 names no metadata URL and whose metadata is only at the path-aware URL
    When alice tries to link her account on that platform
    Then the platform read the path-aware metadata and alice got a token

  @must @rfc9728 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: The path-aware well-known URL is read before the root one
    Source: MCP authorization (2025-11-25 and later), "Protected Resource Metadata Discovery Requirements"
    The spec orders the fallback: the path-aware URL first, then the root one.
    Given the platform is started afresh against an MCP server whose 401 names no metadata URL
    When alice tries to link her account on that platform
    Then the first metadata URL the platform read is the path-aware one

  @must @rfc8414 @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: The metadata of an authorization server with a path is read at the path-inserted URL first
    Source: RFC 8414 §3.1; MCP authorization (2025-06-18, "Server Metadata Discovery"; 2025-11-25 and later, "Authorization Server Metadata Discovery")
    The issuer is {base}/t/tenant1, so its metadata is at
    /.well-known/oauth-authorization-server/t/tenant1. The root well-known URLs serve the metadata
    of another issuer (the root one), which a client that drops the path would read.
    Given the platform is started afresh against an MCP server whose authorization server's issuer has a path
    When alice tries to link her account on that platform
    Then the platform read the path-inserted metadata first and alice got a token

  @must @rfc8414 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: An authorization server that publishes only OpenID Connect discovery is found
    Source: MCP authorization (2025-11-25 and later), "Authorization Server Metadata Discovery"; RFC 8414 §5
    MCP clients must support both discovery mechanisms and, for an issuer with a path, try RFC
    8414 and OpenID Connect path insertion, then OpenID Connect path appending. 2025-06-18 asks
    for RFC 8414 only, so it is not tagged.
    Given the platform is started afresh against an MCP server whose authorization server's issuer has a path and which publishes only OpenID Connect discovery
    When alice tries to link her account on that platform
    Then the platform read the OpenID Connect discovery metadata and alice got a token

  @must @rfc8414 @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: Authorization server metadata that names another issuer is not used
    Source: RFC 8414 §3.3; MCP authorization (2026-07-28), "Authorization Server Metadata Discovery"
    The document's issuer must be identical to the issuer its URL was built from, or the client
    must not use it: 2025-06-18 and 2025-11-25 require it through RFC 8414, 2026-07-28 in its
    own words.
    Given the platform is started afresh against an MCP server whose authorization server's metadata names another issuer
    When alice tries to link her account on that platform
    Then the platform used no metadata that names another issuer

  @must @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario Outline: An authorization endpoint no browser may open is never handed to one
    Source: MCP authorization (2025-06-18 and later), "Communication Security"; OAuth 2.1 §1.5; CVE-2025-6514
    All authorization server endpoints must be HTTPS. A client that hands whatever the metadata
    names to the browser or an opener runs script, opens local files or, as mcp-remote did,
    runs commands. Refusing to link, or to start, is the answer.
    Given the platform is started afresh against an MCP server whose authorization server's metadata names the authorization endpoint "<endpoint>"
    When alice tries to link her account on that platform
    Then the platform never sent alice's browser to "<endpoint>"

    Examples:
      | endpoint                                                   |
      | javascript:alert(document.domain)                          |
      | data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg== |
      | file:///etc/passwd                                         |
      | a:$(echo${IFS}gauntlet)                                    |

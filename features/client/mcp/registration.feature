@mcp @restart
Feature: MCP client registration
  An MCP client needs a client at the authorization server it discovers. MCP lists the ways in
  order of priority: the client it has pre-registered with that authorization server, else its
  Client ID Metadata Document (an HTTPS URL as client_id, which the authorization server
  fetches) when the server advertises client_id_metadata_document_supported, else dynamic
  client registration (RFC 7591) at the server's registration_endpoint, naming an
  application_type. Credentials are bound to the issuer that issued them: another
  authorization server never gets them. Each scenario starts the platform afresh against an MCP
  server of its own whose authorization server has not registered the platform (its client is
  registered with another issuer); refusing to start is an answer like any other.

  @should @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: The Client ID Metadata Document is used when the authorization server advertises it
    Source: MCP authorization (2025-11-25, "Client Registration Approaches"; 2026-07-28, "Client Registration"): priority order
    Clients supporting all options should use pre-registration, then Client ID Metadata
    Documents when the authorization server advertises them, and dynamic registration only as a
    fallback.
    Given the platform is started afresh against an MCP server whose authorization server has not registered the platform and accepts Client ID Metadata Documents
    When alice tries to link her account on that platform
    Then the platform identified itself by its Client ID Metadata Document's URL

  @must @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: The Client ID Metadata Document names its own URL as client_id
    Source: MCP authorization (2025-11-25 and later), "Client ID Metadata Documents", implementation requirements for MCP clients
    The document must include client_id, client_name and redirect_uris, and its client_id must
    match the document's URL exactly; the authorization server fetches and validates it.
    Given the platform is started afresh against an MCP server whose authorization server has not registered the platform and accepts Client ID Metadata Documents
    When alice tries to link her account on that platform
    Then the authorization server accepted the platform's Client ID Metadata Document and alice got a token

  @should @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: Dynamic registration is used when Client ID Metadata Documents are not advertised
    Source: MCP authorization (2025-06-18, "Dynamic Client Registration"; 2025-11-25 and later, client registration priority order); RFC 7591 §3
    Given the platform is started afresh against an MCP server whose authorization server has not registered the platform
    When alice tries to link her account on that platform
    Then the platform registered dynamically before authorizing and alice got a token

  @must @mcp_2026_07_28
  Scenario: A dynamic registration names an application_type
    Source: MCP authorization (2026-07-28), "Application Type and Redirect URI Constraints"; OpenID Connect Dynamic Client Registration 1.0 §2
    Omitted, application_type defaults to "web" under OpenID Connect, which can refuse the
    loopback redirect URIs of a native client. Either value passes; a loopback client should
    send "native".
    Given the platform is started afresh against an MCP server whose authorization server has not registered the platform
    When alice tries to link her account on that platform
    Then the platform's registration request named an application_type

  @must @mcp_2026_07_28
  Scenario: A client_id registered with one authorization server is never sent to another
    Source: MCP authorization (2026-07-28), "Authorization Server Binding"
    The platform's client is registered with another issuer. When the authorization server
    changes (here: one it has never registered with, as after a loopback port change), clients
    must not reuse credentials from a different authorization server and must register again.
    Given the platform is started afresh against an MCP server whose authorization server has not registered the platform
    When alice tries to link her account on that platform
    Then the platform never sent the client_id registered with another authorization server

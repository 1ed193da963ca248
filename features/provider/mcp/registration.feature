@mcp
Feature: Client registration at the MCP server's authorization server
  MCP clients that have no client at an authorization server register one: with a Client ID
  Metadata Document where the server advertises them, else with dynamic client registration
  (RFC 7591) at the registration_endpoint its metadata names. An authorization server that
  offers the endpoint registers an MCP client that describes itself as MCP asks — a native
  application with a loopback redirect URI, a public client with PKCE — and answers with the
  client_id it issued.

  @must @mcp_cimd @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: A metadata-document client_id whose document cannot be fetched is refused without a redirect
    Source: MCP authorization (2025-11-25 and later), "Client ID Metadata Documents", requirements for authorization servers; RFC 6749 §4.1.2.1
    The authorization server advertises client_id_metadata_document_supported, so it must
    validate the document and the request's redirect URI against it. The document's host is a
    name under .test, which never resolves: with no document there is nothing to validate the
    redirect URI against, and the browser must not be sent to it.
    Given an authorization request
    And its client_id is "https://client-metadata.gauntlet.test/oauth/client.json"
    When the user approves it
    Then the server shows an error page and redirects nowhere

  @must @rfc7591 @registration @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: The authorization server registers a native MCP client
    Source: RFC 7591 §3.1, §3.2.1; MCP authorization (2025-06-18, "Dynamic Client Registration"; 2026-07-28, "Application Type and Redirect URI Constraints")
    The request names application_type "native", which MCP 2026-07-28 asks of clients with a
    loopback redirect URI; a server that does not know the member ignores it (RFC 7591 §2).
    When an MCP client registers with the authorization server as a native application
    Then the registration answers 201 with the client_id it issued

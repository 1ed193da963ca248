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

  @should @mcp_cimd @mcp_cimd_document @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: A client identified by its metadata document gets a token the MCP server accepts
    Source: MCP authorization (2025-11-25 and later), "Client ID Metadata Documents", requirements for authorization servers; RFC 8707 §2
    The client_id is the https URL of a valid document: its client_id is that URL, and it lists
    the redirect URI the request uses. A server that advertises metadata documents should fetch
    it and treat the client as registered, with no registration step: it issues a code, redeems
    it for the public client with PKCE, and the token opens the MCP server. (MCP says SHOULD, and
    lets a server refuse documents from hosts outside its trust policy: name a document on a
    host it trusts.) Gauntlet hosts the document for the embedded mock; for another server,
    [server.mcp] client_metadata_document names one.
    Given a client identified by its metadata document holds a token issued for the MCP server
    When the client initializes an MCP session with the token
    Then the MCP server answers with a JSON-RPC result

  @must @mcp_cimd @mcp_cimd_document @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: A redirect URI the metadata document does not list is refused without a redirect
    Source: MCP authorization (2025-11-25 and later), "Client ID Metadata Documents", requirements for authorization servers; RFC 6749 §4.1.2.1
    The document is valid, but the request's redirect URI is not one it lists: the server must
    check the redirect URI against the document, as against any registration, or an attacker
    who names someone else's document as client_id receives its users' codes.
    Given an authorization request from the client identified by its metadata document
    And its redirect_uri is "https://elsewhere.gauntlet.test/callback"
    When the user approves it
    Then the server refuses the unlisted redirect URI with an error page

  @should @rfc7591 @registration @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: The authorization server registers a native MCP client
    Source: RFC 7591 §3.1, §3.2.1; MCP authorization (2025-06-18, "Dynamic Client Registration"; 2026-07-28, "Application Type and Redirect URI Constraints")
    The request names application_type "native", which MCP 2026-07-28 asks of clients with a
    loopback redirect URI; a server that does not know the member ignores it (RFC 7591 §2).
    RFC 7591 lets a server refuse metadata by its policy and MCP says servers SHOULD offer
    registration, so a refusal is a SHOULD failure: MCP clients without a client there cannot
    connect.
    When an MCP client registers with the authorization server as a native application
    Then the registration answers 201 with the client_id it issued

@transport
Feature: transport security
  Requests to the authorization and token endpoints carry credentials and codes, so the server
  requires TLS for them, and its metadata names only https:// URLs. These rules are judged only
  when the server is reached over TLS: a server reached over plain HTTP (a development set-up on
  loopback) is not applicable, with the reason.

  @must @rfc8414 @rfc6749 @tls @metadata
  Scenario: The metadata names only https:// URLs
    Source: RFC 8414 §2; RFC 6749 §3.1, §3.2, §10.9
    When the client fetches the metadata
    Then the metadata's issuer and every endpoint it names use https

  @should @rfc6749 @rfc7591 @rfc8252 @tls @registration
  Scenario: Registration refuses an http redirect URI for a host that is not loopback
    Source: RFC 6749 §3.1.2.1; RFC 7591 §2, §3.2.2; RFC 8252 §7.3, §8.3
    Given the server registers a client with the redirect URI "https://client.gauntlet.test/callback"
    When the client registers the redirect URI "http://client.gauntlet.test/callback"
    Then the registration is refused with invalid_redirect_uri or invalid_client_metadata

@transport @rfc6749
Feature: transport security
  Codes travel to the platform's redirect URI, so it uses TLS unless it is on the user's own
  machine (loopback); codes and client credentials travel to the token endpoint, so the platform
  never follows metadata served over TLS to a plain-HTTP one (a downgrade). Judged only when the
  mock provider serves HTTPS ([provider] tls = true): over plain HTTP the run tests no transport
  at all.

  @should @rfc8252 @tls
  Scenario: The redirect URIs are https or loopback
    Source: RFC 6749 §3.1.2.1; RFC 8252 §7.3, §8.3
    When alice starts linking her account
    Then every redirect URI of the platform is https or loopback http

  @must @tls @discovery @restart
  Scenario: A plain-HTTP token endpoint in TLS metadata is never sent the code
    Source: RFC 6749 §10.9, §3.2; REQUIREMENTS A32
    A MUST in effect: §10.9 makes the server require TLS at the token endpoint and the client
    validate the server's certificate, which no client can do over plain http. The platform is
    started afresh (it reads the metadata at start); refusing to start, failing to link, or
    upgrading to https on its own all pass. The plain endpoint is a loopback stand-in
    (http://127.0.0.1): a platform that exempts loopback from the https rule even under an https
    issuer is judged as if the endpoint were remote.
    Given the platform is started afresh against a provider whose metadata names a plain-HTTP token endpoint
    When alice tries to link her account on that platform
    Then the code and the client's credentials never travelled over plain HTTP

@transport @rfc6749
Feature: transport security
  Codes travel to the platform's redirect URI, so it uses TLS unless it is on the user's own
  machine (loopback). Judged only when the mock provider serves HTTPS ([provider] tls = true):
  over plain HTTP the run tests no transport at all.

  @should @rfc8252 @tls
  Scenario: The redirect URIs are https or loopback
    Source: RFC 6749 §3.1.2.1; RFC 8252 §7.3, §8.3
    When alice starts linking her account
    Then every redirect URI of the platform is https or loopback http

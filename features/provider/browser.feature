@rfc9700 @login_pages
Feature: browser security of the login and consent pages
  The pages a user types credentials into and grants consent on neither leak the request
  through Referer, nor re-post credentials on a redirect, nor let another site frame them.

  @must
  Scenario: Posted credentials are never redirected with 307 or 308
    Source: RFC 9700 §4.12
    Given an authorization request
    When the user approves it
    Then no answer to posted credentials was a 307 or 308

  @should
  Scenario: The login and consent pages send a Referrer-Policy
    Source: RFC 9700 §4.2.4
    Given an authorization request
    When the user approves it
    Then every page with a form sent a Referrer-Policy

  @should
  Scenario: The login and consent pages may not be framed
    Source: RFC 9700 §4.16
    Given an authorization request
    When the user approves it
    Then every page with a form forbids framing

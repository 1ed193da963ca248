"""/o/ is django-oauth-toolkit, /accounts/login/ Django's login, /api/hello a protected API."""
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.urls import include, path
from oauth2_provider.views import OAuthServerMetadataView
from oauth2_provider.views.generic import ScopedProtectedResourceView


class Hello(ScopedProtectedResourceView):
    """Needs a bearer token with the `read` scope (DOT's stock view: a bare 403 otherwise)."""

    required_scopes = ["read"]

    def get(self, request, *args, **kwargs):
        return JsonResponse({"hello": request.resource_owner.username})


urlpatterns = [
    # DOT's urls include its RFC 8414 metadata, so it is served at
    # /o/.well-known/oauth-authorization-server with issuer http://HOST/o.
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    # RFC 8414 §3.1 puts the metadata of issuer http://HOST/o at
    # /.well-known/oauth-authorization-server/o; DOT's docs say a deployment under a prefix
    # mounts it at the root as well. Only this path-component form: the bare root form would
    # name a second issuer (http://HOST), and only for "o": DOT's own route takes any
    # suffix and names it the issuer.
    path(".well-known/oauth-authorization-server/o", OAuthServerMetadataView.as_view()),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("api/hello", Hello.as_view()),
]

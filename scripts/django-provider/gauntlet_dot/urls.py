"""/o/ is django-oauth-toolkit, /accounts/login/ Django's login, /api/hello a protected API."""
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.urls import include, path
from oauth2_provider.views.generic import ScopedProtectedResourceView


class Hello(ScopedProtectedResourceView):
    """Needs a bearer token with the `read` scope."""

    required_scopes = ["read"]

    def get(self, request, *args, **kwargs):
        return JsonResponse({"hello": request.resource_owner.username})


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("api/hello", Hello.as_view()),
]

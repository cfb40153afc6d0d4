"""The provider's own addresses: allauth includes this module for the `sso` provider (at /account/sso/...)."""

from django.urls import path

from . import views

urlpatterns = [
    path("sso/<slug:provider_id>/login/", views.login, name="sso_login"),
    path("sso/<slug:provider_id>/login/callback/", views.callback, name="sso_callback"),
    path("sso/confirm-its-you/", views.reauthenticate, name="sso_reauthenticate"),
]

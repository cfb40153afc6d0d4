from django.urls import path

from . import views

app_name = "identity"
urlpatterns = [
    path("", views.account, name="account"),
    path("tokens/new/", views.token_create, name="token_create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("session/", views.session_keep_alive, name="session_keep_alive"),
    path("session/signed-out/", views.session_timed_out, name="session_timed_out"),
    path("view-as/", views.view_as_start, name="view_as_start"),
    path("view-as/stop/", views.view_as_stop, name="view_as_stop"),
    path("two-factor/reset/", views.two_factor_reset, name="two_factor_reset"),
    path("two-factor/set-up/cancel/", views.two_factor_setup_cancel, name="two_factor_setup_cancel"),
]

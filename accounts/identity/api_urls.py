from django.urls import path

from accounts.identity.api import views

app_name = "identity-api"
urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("me/tokens/", views.TokenListCreateView.as_view(), name="tokens"),
    path("me/tokens/<int:token_id>/", views.TokenDetailView.as_view(), name="token_detail"),
    path("users/<int:user_id>/two-factor/reset/", views.TwoFactorResetView.as_view(), name="two_factor_reset"),
]

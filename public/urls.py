from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("privacy", views.static_page, {"page": "privacy"}, name="privacy"),
    path("cookies", views.static_page, {"page": "cookies"}, name="cookies"),
    path("accessibility", views.static_page, {"page": "accessibility"}, name="accessibility"),
    path("feedback", views.feedback, name="feedback"),
    path("figures", views.figures, name="figures"),
    path("updates/sign-up", views.signup, name="signup"),
    path("updates/check-your-email", views.signup_sent, name="signup_sent"),
    path("updates/confirm/<str:token>", views.signup_confirm, name="signup_confirm"),
    path("updates/unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("updates/unsubscribe/<str:token>/one-click", views.unsubscribe_one_click, name="unsubscribe_one_click"),
    path("updates/admin", views.updates_admin, name="updates_admin"),
    path("updates/admin/consent-records.csv", views.updates_export, name="updates_export"),
    path("updates/admin/send", views.updates_send, name="updates_send"),
    path("updates/admin/consent-statement", views.consent_statement_new, name="consent_statement_new"),
]

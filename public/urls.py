from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("privacy", views.static_page, {"page": "privacy"}, name="privacy"),
    path("cookies", views.static_page, {"page": "cookies"}, name="cookies"),
    path("accessibility", views.static_page, {"page": "accessibility"}, name="accessibility"),
]

from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("schools/", views.school_find, name="school_find"),
    path("schools/<int:urn>/", views.school_profile, name="school_profile"),
]

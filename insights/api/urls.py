from django.urls import path

from . import views

app_name = "insights-api"
urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("map/", views.MapView.as_view(), name="map"),
    path("schools/<int:urn>/", views.SchoolProfileView.as_view(), name="school-profile"),
    path("own-borough/", views.BoroughSchoolsView.as_view(), name="own-borough"),
]

from django.urls import path

from . import views

app_name = "public-api"
urlpatterns = [
    path("figures/", views.OpenFiguresView.as_view(), name="figures"),
    path("figures/<slug:dataset>.csv", views.OpenDatasetCsvView.as_view(), name="figures-csv"),
]

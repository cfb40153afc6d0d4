from django.urls import path

from . import views

app_name = "toolkit-api"
urlpatterns = [
    path("resources/", views.ResourceList.as_view(), name="resources"),
    path("resources/facets/", views.FacetCounts.as_view(), name="facets"),
    path("zip/", views.SeveralZip.as_view(), name="several-zip"),
    path("resources/<slug:slug>/", views.ResourceDetail.as_view(), name="resource"),
    path("resources/<slug:slug>/zip/", views.ResourceZip.as_view(), name="resource-zip"),
    path("files/<int:version_id>/download/", views.FileDownload.as_view(), name="file-download"),
    path("terms/", views.Terms.as_view(), name="terms"),
    path("analytics/", views.Analytics.as_view(), name="analytics"),
    path("synonyms/", views.SynonymList.as_view(), name="synonyms"),
    path("synonyms/<int:pk>/", views.SynonymDetail.as_view(), name="synonym"),
]

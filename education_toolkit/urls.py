from django.urls import path

from . import views

app_name = "toolkit"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("terms/", views.terms, name="terms"),
    path("download/", views.download_several, name="download_several"),
    path("resources/<slug:slug>/", views.resource, name="resource"),
    path("resources/<slug:slug>/download/", views.download_selected, name="download_selected"),
    path("resources/<slug:slug>/updates/", views.updates, name="updates"),
    path("resources/<slug:slug>/delivered/", views.delivery_report, name="delivery_report"),
    path("files/<int:version_id>/download/", views.download_file, name="download_file"),
    path("editor/", views.editor_list, name="editor_list"),
    path("editor/new/", views.editor_create, name="editor_create"),
    path("editor/<int:pk>/", views.editor_edit, name="editor_edit"),
    path("editor/<int:pk>/preview/", views.editor_preview, name="editor_preview"),
    path("editor/<int:pk>/files/new/", views.editor_file_add, name="editor_file_add"),
    path("editor/files/<int:file_id>/version/", views.editor_version_upload, name="editor_version_upload"),
    path("editor/<int:pk>/publish/", views.editor_publish, name="editor_publish"),
    path("editor/<int:pk>/archive/", views.editor_archive, name="editor_archive"),
    path("editor/<int:pk>/history/", views.editor_history, name="editor_history"),
    path("editor/synonyms/", views.editor_synonyms, name="editor_synonyms"),
    path("editor/synonyms/<int:pk>/", views.editor_synonym_edit, name="editor_synonym_edit"),
    path("analytics/", views.analytics, name="analytics"),
]

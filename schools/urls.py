from django.urls import path

from . import review_views, views

app_name = "schools"
urlpatterns = [
    path("", views.school_list, name="list"),
    path("<int:urn>/", views.school_detail, name="detail"),
    path("changes/", review_views.change_list, name="changes"),
    path("changes/apply-all/", review_views.changes_apply_all, name="changes_apply_all"),
    path("changes/dismiss-all/", review_views.changes_dismiss_all, name="changes_dismiss_all"),
    path("changes/<int:pk>/", review_views.change_detail, name="change_detail"),
]

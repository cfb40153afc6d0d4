"""Included by schools_portal/urls.py at /api/v1/ without a namespace: names carry an `api-` prefix instead."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import changes
from .views import BasicCommandUnitViewSet, LocalAuthorityViewSet, SchoolViewSet

router = SimpleRouter()
router.register("schools", SchoolViewSet, basename="api-schools")
router.register("local-authorities", LocalAuthorityViewSet, basename="api-local-authorities")
router.register("bcus", BasicCommandUnitViewSet, basename="api-bcus")

urlpatterns = router.urls + [
    path("school-changes/", changes.SchoolChangeList.as_view(), name="api-school-changes-list"),
    path("school-changes/apply-all/", changes.SchoolChangeApplyAll.as_view(), name="api-school-changes-apply-all"),
    path(
        "school-changes/dismiss-all/", changes.SchoolChangeDismissAll.as_view(), name="api-school-changes-dismiss-all"
    ),
    path("school-changes/<int:pk>/", changes.SchoolChangeDetail.as_view(), name="api-school-changes-detail"),
    path("school-changes/<int:pk>/apply/", changes.SchoolChangeApply.as_view(), name="api-school-changes-apply"),
    path("school-changes/<int:pk>/dismiss/", changes.SchoolChangeDismiss.as_view(), name="api-school-changes-dismiss"),
    path("school-changes/<int:pk>/undo/", changes.SchoolChangeUndo.as_view(), name="api-school-changes-undo"),
]

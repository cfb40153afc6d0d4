"""`GET /api/v1/audit/`: the audit search for VRU roles, read-only, newest first with a cursor.

Same filters and the same scoping as the page (`insights.audit_views.audit_events_visible_to`): entries about pupil
records reach Stepping Stones coordinators only. There is no write method: the audit is append-only.
"""

from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated

from core.api.pagination import CreatedCursorPagination
from core.models import AuditEvent
from insights.audit_views import AuditFilter, audit_events_visible_to, can_search_audit, request_views_as


class AuditEventSerializer(serializers.ModelSerializer):
    object_type = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor_label",
            "verb",
            "object_type",
            "target_id",
            "target_label",
            "from_state",
            "to_state",
            "reason",
            "request_id",
        ]
        read_only_fields = fields

    def get_object_type(self, event) -> str:
        return f"{event.target_type.app_label}.{event.target_type.model}"


class AuditCursorPagination(CreatedCursorPagination):
    ordering = ("-created_at", "-id")


class AuditEventList(generics.ListAPIView):
    """Audit entries you may see (VRU roles; pupil-record entries for coordinators only), newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = AuditEventSerializer
    pagination_class = AuditCursorPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditEvent.objects.none()
        if not can_search_audit(self.request.user):
            raise PermissionDenied("Only VRU roles may search the audit.")
        return audit_events_visible_to(self.request.user, viewing_as=request_views_as(self.request))

    # The page's filter is labelled for its date inputs ("Date from"); the API's ISO dates keep their description.
    @extend_schema(
        operation_id="audit_list",
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="From"),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="To"),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


app_name = "audit-api"
urlpatterns = [path("", AuditEventList.as_view(), name="list")]

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.permissions import AllowAny

from core.api.machine_scopes import REGISTER_READ
from core.api.pagination import cached_count_pagination
from core.api.rows import ValuesListMixin
from core.api.throttling import PublicReadThrottle
from schools.counts import REGISTER_COUNTS
from schools.models import School
from schools.reference_data import read_csv
from schools.selectors import URN_MAX, URN_MIN, bcu_list, local_authority_list, school_get, school_list

from .filters import SchoolApiFilter
from .serializers import (
    SCHOOL_LIST_VALUES,
    BasicCommandUnitSerializer,
    LocalAuthoritySerializer,
    SchoolDetailSerializer,
    SchoolListSerializer,
    school_list_row,
)

BCU_SLUGS = sorted(row["bcu_slug"] for row in read_csv("met_bcus.csv"))
FIELD_ERRORS = OpenApiResponse(
    description="A filter value, page or page size is not valid, or a parameter is unknown: each one named",
    response={"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
)
NOT_FOUND = OpenApiResponse(
    description="No school has this URN",
    response={"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
)

THROTTLED = OpenApiResponse(
    description="Too many requests from this client: wait the seconds the `Retry-After` header gives",
    response={"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
)


class PublicRegisterMixin:
    """The register is public information: anyone may read it, at a rate that keeps the service up."""

    permission_classes = [AllowAny]
    throttle_classes = [PublicReadThrottle]  # anonymous by address, signed in by account
    machine_scope = REGISTER_READ  # systems with OAuth client credentials need this scope (docs/api.md)


@extend_schema_view(
    list=extend_schema(
        summary="Find schools",
        description="London schools from the DfE register (GIAS), by name. Closed schools are left out unless "
        "`include_closed=true` or a `status` is given. Bad filter values get a 400 naming each parameter.",
        parameters=[
            OpenApiParameter(
                "bcu",
                str,
                enum=BCU_SLUGS,
                description="Met Basic Command Unit by its slug. The City of London has its own police force.",
            )
        ],
        responses={200: SchoolListSerializer, 400: FIELD_ERRORS, 429: THROTTLED},
    ),
    retrieve=extend_schema(
        summary="One school by URN",
        parameters=[
            OpenApiParameter(
                "urn",
                {"type": "integer", "minimum": URN_MIN, "maximum": URN_MAX},
                OpenApiParameter.PATH,
                description="The school's 6-digit unique reference number from GIAS",
            )
        ],
        responses={200: SchoolDetailSerializer, 404: NOT_FOUND, 429: THROTTLED},
    ),
)
class SchoolViewSet(PublicRegisterMixin, ValuesListMixin, viewsets.ReadOnlyModelViewSet):
    filter_backends = [DjangoFilterBackend]
    # The list: rows from `.values()` in SchoolListSerializer's shape (docs/performance.md).
    values_fields = SCHOOL_LIST_VALUES
    represent_row = staticmethod(school_list_row)
    # The total is cached until the register changes (schools/counts.py): the COUNT was most of a page's cost.
    pagination_class = cached_count_pagination(REGISTER_COUNTS)
    filterset_class = SchoolApiFilter
    lookup_field = "urn"
    # Digits only, so that sibling routes other apps add under /api/v1/schools/ are never shadowed.
    lookup_value_regex = r"[0-9]+"

    def unfiltered(self, queryset):
        return queryset.exclude(status=School.Status.CLOSED)  # what SchoolFilter gives without parameters

    def get_queryset(self):
        return school_list()

    def get_serializer_class(self):
        return SchoolDetailSerializer if self.action == "retrieve" else SchoolListSerializer

    def get_object(self) -> School:
        try:
            return school_get(urn=int(self.kwargs["urn"]))
        except School.DoesNotExist:
            raise Http404("No school with this URN") from None


@extend_schema_view(
    list=extend_schema(
        summary="Local authorities",
        description="Every authority, by name.",
        responses={200: LocalAuthoritySerializer(many=True), 429: THROTTLED},
    )
)
class LocalAuthorityViewSet(PublicRegisterMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = LocalAuthoritySerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return local_authority_list()


@extend_schema_view(
    list=extend_schema(
        summary="Met Basic Command Units",
        description="The 12 BCUs, each with its boroughs.",
        responses={200: BasicCommandUnitSerializer(many=True), 429: THROTTLED},
    )
)
class BasicCommandUnitViewSet(PublicRegisterMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = BasicCommandUnitSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return bcu_list()

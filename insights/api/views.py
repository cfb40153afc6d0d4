"""The insights API: the same selectors as the pages, the same scope (403 for people without the dashboard, 404 for a
school outside theirs), 400 with field errors for filters that are not valid."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.identity.view_as import is_viewing_as
from core.api.machine_scopes import BOROUGH_READ
from insights import permissions, selectors
from insights.maps import borough_map
from insights.tilemap import tile_positions
from machine_clients.authentication import MachineClientAuthentication, MachineClientOnly

from . import serializers as s

FILTERS = [
    OpenApiParameter("bcu", str, description="A BCU slug within your scope, e.g. central-east."),
    OpenApiParameter("phase", str, enum=list(selectors.PHASE_GROUPS), description="School phase group."),
]


class _DashboardScope(APIView):
    permission_classes = [IsAuthenticated]
    query_serializer = s.InsightsQuerySerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not permissions.can_view_dashboard(request.user):
            raise PermissionDenied("Only VRU roles and police allocators can see the dashboard.")

    def board(self, request):
        query = self.query_serializer(data=request.query_params, bcus=selectors.dashboard_bcus(request.user))
        query.is_valid(raise_exception=True)
        data = query.validated_data
        board = selectors.dashboard(
            user=request.user,
            bcu=query.bcus.get(data.get("bcu") or ""),
            phase=data.get("phase") or "",
            viewing_as=is_viewing_as(request),
        )
        return board, data


class DashboardView(_DashboardScope):
    @extend_schema(parameters=FILTERS, responses={200: s.InsightsDashboardSerializer})
    def get(self, request):
        """Per borough in your scope, the four programmes side by side, with totals."""
        board, _ = self.board(request)
        return Response(
            s.InsightsDashboardSerializer(
                {
                    "bcu": board.bcu.slug if board.bcu else None,
                    "phase": board.phase,
                    "stepping_stones_cohort": board.cohort_name,
                    "small_counts_suppressed": board.suppress_pupils,
                    "as_of": board.as_of,
                    "boroughs": board.rows,
                    "totals": board.totals,
                }
            ).data
        )


class MapView(_DashboardScope):
    query_serializer = s.InsightsMapQuerySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("measure", str, enum=list(selectors.MEASURES), description="What colours the map."),
            *FILTERS,
        ],
        responses={200: s.InsightsMapSerializer},
    )
    def get(self, request):
        """One measure for each of the 33 boroughs, as the map shows it: grid place, value, label and colour."""
        board, data = self.board(request)
        measure = selectors.MEASURES[data.get("measure") or selectors.DEFAULT_MEASURE]
        tile_map = borough_map(board, measure)
        tiles = {tile.la_code: tile for tile in tile_map.tiles}
        positions = {p.la_code: p for p in tile_positions()}
        boroughs = [
            {
                **row,
                "abbreviation": positions[row["la_code"]].abbreviation,
                "col": positions[row["la_code"]].col,
                "row": positions[row["la_code"]].row,
                "colour": tiles[row["la_code"]].fill,
            }
            for row in selectors.measure_values(board, measure)
        ]
        return Response(
            s.InsightsMapSerializer(
                {
                    "measure": measure.key,
                    "label": measure.label,
                    "percent": measure.percent,
                    "bins": tile_map.bins,
                    "boroughs": boroughs,
                }
            ).data
        )


class SchoolProfileView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.InsightsSchoolProfileSerializer})
    def get(self, request, urn):
        """One school's safety profile: wands, named police contact, Stepping Stones counts, toolkit downloads."""
        school = selectors.school_for_profile(user=request.user, urn=urn)
        if school is None:
            raise Http404
        profile = selectors.school_profile(user=request.user, school=school, viewing_as=is_viewing_as(request))
        return Response(s.InsightsSchoolProfileSerializer(profile).data)


class BoroughSchoolsView(APIView):
    """For systems only (OAuth client credentials with `borough:read`): the client's own borough, never another."""

    authentication_classes = [MachineClientAuthentication]
    permission_classes = [MachineClientOnly]
    machine_scope = BOROUGH_READ

    @extend_schema(
        operation_id="insights_own_borough_schools",
        summary="Your borough's schools and their programme figures (OAuth clients with borough:read)",
        responses={
            200: s.BoroughSchoolFiguresSerializer,
            401: OpenApiResponse(description="No OAuth access token, or one that does not work"),
            403: OpenApiResponse(description="The token lacks the borough:read scope"),
        },
    )
    def get(self, request):
        """The open schools of the local authority the client was registered for, each with wand take-up, wands
        delivered and whether it has a named police contact; with the borough's totals. No counts of pupils."""
        client = request.user.machine_client
        if client.local_authority_id is None:
            raise PermissionDenied("Only a local authority's system reads its borough's figures.")
        figures = selectors.borough_school_figures(la_code=client.local_authority_id)
        if figures is None:
            raise Http404
        return Response(s.BoroughSchoolFiguresSerializer(figures).data)

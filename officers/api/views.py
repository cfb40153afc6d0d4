"""The officers API: the same services and selectors as the pages. 400 with field errors, 409 for conflicts."""

from django.http import Http404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import PagePagination
from core.api.rows import ValuesListMixin
from core.csv_import import CsvRejected, upload_bytes
from core.errors import DomainError
from core.idempotency import idempotent
from officers import permissions, selectors, services
from officers.models import Assignment, Officer
from schools.models import BasicCommandUnit, School

from . import serializers as s


def _allocator(request):
    if not permissions.is_allocator(request.user):
        raise ApiPermissionDenied("Only police allocators can do this.")


def _own_bcu(request, bcu: BasicCommandUnit, field: str = "bcu") -> BasicCommandUnit:
    """`bcu` if the allocator allocates in it, else 400 naming the field (the BCU exists: it is not theirs)."""
    if not permissions.can_allocate_in_bcu(request.user, bcu):
        raise ValidationError({field: ["Choose one of your BCUs."]})
    return bcu


def _assignment(assignment: Assignment) -> dict:
    return s.OfficersAssignmentSerializer(assignment).data


class OfficerList(ValuesListMixin, generics.ListAPIView):
    """Officers in your BCUs with their current load."""

    permission_classes = [IsAuthenticated]
    pagination_class = PagePagination
    serializer_class = s.OfficersOfficerSerializer
    # The list: rows from `.values()` in the serializer's shape (core.api.rows, docs/performance.md).
    values_fields = s.OFFICER_LIST_VALUES
    represent_row = staticmethod(s.officer_row)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Officer.objects.none()
        _allocator(self.request)
        return selectors.officers_visible_to(self.request.user).order_by("name", "pk")

    def count_queryset(self):
        """The same officers without their load: the total (core.api.pagination.PagePagination)."""
        return selectors.officers_in_scope(self.request.user)

    @extend_schema(request=s.OfficersOfficerCreateSerializer, responses={201: s.OfficersOfficerSerializer})
    @idempotent("officers.create")
    def post(self, request):
        """Add an officer in one of your BCUs."""
        _allocator(request)
        data = s.OfficersOfficerCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        bcu = _own_bcu(request, values.pop("bcu"))
        officer = services.officer_create(actor=request.user, bcu=bcu, **values)
        return Response(
            s.OfficersOfficerSerializer(selectors.officer_get(user=request.user, pk=officer.pk)).data, status=201
        )


class OfficerImport(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": inline_serializer("OfficersImportFile", {"file": serializers.FileField()})},
        responses={
            201: inline_serializer(
                "OfficersImported", {"officers": serializers.IntegerField(), "schools": serializers.IntegerField()}
            ),
            400: inline_serializer(
                "OfficersCsvRejected",
                {
                    "file": serializers.ListField(child=serializers.CharField()),
                    "code": serializers.CharField(),
                    "rows": serializers.ListField(child=serializers.DictField()),
                },
            ),
        },
    )
    @idempotent("officers.import")
    def post(self, request):
        """Import current officers and their schools; any bad row rejects the file, listing every bad row."""
        _allocator(request)
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": ["Attach a CSV file as 'file'."]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            # By its recorded size first: an oversize upload is refused before any of it is read.
            data = upload_bytes(upload, max_bytes=services.MAX_CSV_BYTES)
            officers, schools = services.officers_import_csv(actor=request.user, data=data)
        except CsvRejected:
            raise  # 400 problem details with every bad line in `rows` (core.api.exceptions)
        return Response({"officers": officers, "schools": schools}, status=status.HTTP_201_CREATED)


class OfficerDetail(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = s.OfficersOfficerSerializer

    def get_object(self):
        _allocator(self.request)
        officer = selectors.officer_get(user=self.request.user, pk=self.kwargs["pk"])
        if officer is None:
            raise Http404
        return officer

    @extend_schema(request=s.OfficersOfficerUpdateSerializer, responses=s.OfficersOfficerSerializer)
    def patch(self, request, pk):
        """Change an officer's details, audited from → to. 400 with field errors: a capacity below the current load
        without a reason; a BCU move that ends assignments without confirm_move (the message says how many)."""
        officer = self.get_object()
        data = s.OfficersOfficerUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason", "")
        confirm_move = values.pop("confirm_move", False)
        if "bcu" in values:
            values["bcu"] = _own_bcu(request, values["bcu"])
        services.officer_update(
            actor=request.user, officer_id=officer.pk, reason=reason, confirm_move=confirm_move, **values
        )
        return Response(s.OfficersOfficerSerializer(selectors.officer_get(user=request.user, pk=officer.pk)).data)


class OfficerEnd(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=s.OfficersReasonSerializer,
        responses=inline_serializer("OfficersEnded", {"schools_back_in_queue": serializers.ListField()}),
    )
    def post(self, request, pk):
        """End an officer (left, moved): their schools go back to the queue."""
        _allocator(request)
        if selectors.officer_get(user=request.user, pk=pk) is None:
            raise Http404
        data = s.OfficersReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        back = services.officer_end(actor=request.user, officer_id=pk, reason=data.validated_data["reason"])
        return Response({"schools_back_in_queue": back})


SHOW = OpenApiParameter(
    "show",
    str,
    enum=[value for value in selectors.QUEUE_SHOWS if value],
    description="Only the schools without a named officer (`no-officer`), or only those whose headteacher asked for "
    "an officer or a change (`asked`). Without it, every school in the queue.",
)


@extend_schema_view(get=extend_schema(parameters=[SHOW]))
class QueueList(generics.ListAPIView):
    """Schools in your BCUs without a named officer, or whose headteacher asked for an officer or a change."""

    permission_classes = [IsAuthenticated]
    pagination_class = PagePagination
    serializer_class = s.OfficersQueueSchoolSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return School.objects.none()
        _allocator(self.request)
        show = self.request.query_params.get("show", "")
        if show not in selectors.QUEUE_SHOWS:
            raise ValidationError({"show": [f"Choose {' or '.join(v for v in selectors.QUEUE_SHOWS if v)}."]})
        return selectors.queue_for(self.request.user, show=show)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        activity = selectors.other_programme_activity([school.pk for school in page])
        for school in page:
            school.days_waiting = selectors.days_waiting(school)
            school.activity = activity.get(school.pk, [])
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class Suggestions(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "OfficersSuggestions",
            {"note": serializers.CharField(), "suggestions": s.OfficersSuggestionSerializer(many=True)},
        )
    )
    def get(self, request, urn):
        """Officers ranked for one school, each with a one-line reason and the load before and after."""
        _allocator(request)
        school = selectors.school_for_allocator(user=request.user, urn=urn)
        if school is None:
            raise Http404
        suggestions, note = selectors.suggestions_for(school)
        return Response({"note": note, "suggestions": s.OfficersSuggestionSerializer(suggestions, many=True).data})


class AssignmentCreate(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.OfficersAssignmentCreateSerializer, responses={201: s.OfficersAssignmentSerializer})
    @idempotent("officers.assignment")
    def post(self, request):
        """Make an officer a school's named contact. Not the top suggestion, or over capacity: give override_reason."""
        _allocator(request)
        data = s.OfficersAssignmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if selectors.school_for_allocator(user=request.user, urn=values["school_urn"]) is None:
            raise Http404
        assignment = services.assignment_create(actor=request.user, **values)
        return Response(_assignment(assignment), status=status.HTTP_201_CREATED)


class AssignmentEnd(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.OfficersAssignmentEndSerializer, responses=s.OfficersAssignmentSerializer)
    def post(self, request, pk):
        """End a school's named officer: the school goes back to the queue."""
        _allocator(request)
        assignment = Assignment.objects.filter(
            pk=pk, school__local_authority__bcu_id__in=selectors.allocator_bcu_ids(request.user)
        ).first()
        if assignment is None:
            raise Http404
        data = s.OfficersAssignmentEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ended = services.assignment_end(actor=request.user, assignment_id=pk, **data.validated_data)
        return Response(_assignment(ended))


class Coverage(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.OfficersCoverageSerializer(many=True))
    def get(self, request):
        """Open schools with a named officer, by borough, in your BCUs."""
        _allocator(request)
        return Response(s.OfficersCoverageSerializer(selectors.coverage_by_borough(request.user), many=True).data)


def _plan_summary(plan) -> dict:
    return {
        "status": plan.status,
        "gap": plan.gap,
        "seconds": plan.seconds,
        "total_km": plan.total_km,
        "covered": len(plan.assignments),
        "new": [{"school_urn": u, "officer_id": o} for u, o in sorted(plan.new.items())],
        "moves": [
            {"school_urn": u, "from_officer_id": m[0], "officer_id": m[1]} for u, m in sorted(plan.moves.items())
        ],
        # Most urgent first: schools that asked, then the heaviest (the order the optimiser covers them in).
        "uncovered": [{"school_urn": u, "why": why} for u, why in plan.uncovered.items()],
    }


class OptimiserRun(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=s.OfficersOptimiserRunSerializer,
        responses=inline_serializer(
            "OfficersProposal", {"optimiser": serializers.DictField(), "greedy": serializers.DictField()}
        ),
    )
    def post(self, request):
        """Propose named officers for a BCU (read-only): the optimiser's plan beside the greedy one."""
        _allocator(request)
        data = s.OfficersOptimiserRunSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        result = selectors.area_plan(user=request.user, bcu_id=values["bcu"].pk, allow_moves=values["allow_moves"])
        if result is None:
            raise Http404
        return Response({"optimiser": _plan_summary(result.plan), "greedy": _plan_summary(result.baseline)})


class WhatIf(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=s.OfficersWhatIfSerializer,
        responses=inline_serializer(
            "OfficersWhatIfResult",
            {
                "leaving": serializers.ListField(child=serializers.IntegerField()),
                "losing_cover": serializers.ListField(child=serializers.IntegerField()),
                "optimiser": serializers.DictField(),
            },
        ),
    )
    def post(self, request):
        """Read-only: if these officers leave (or N are cut), which schools lose cover; what the optimiser proposes."""
        _allocator(request)
        data = s.OfficersWhatIfSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        outcome = selectors.what_if(
            user=request.user, bcu_id=values["bcu"].pk, officer_ids=values["officer_ids"], cut=values["cut"]
        )
        if outcome is None:
            raise Http404
        return Response(
            {
                "leaving": [o.pk for o in outcome.leaving],
                "losing_cover": [school.pk for school in outcome.losing_cover],
                "optimiser": _plan_summary(outcome.result.plan),
            }
        )


class OptimiserApply(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.OfficersOptimiserApplySerializer, responses=s.OfficersAssignmentSerializer(many=True))
    def post(self, request):
        """Apply some or all proposals in one action: all pass the hard rules, or nothing is written (409)."""
        _allocator(request)
        data = s.OfficersOptimiserApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        made = services.plan_apply(
            actor=request.user,
            bcu_id=values["bcu"].pk,
            pairs=[(p["school_urn"], p["officer_id"]) for p in values["proposals"]],
            allow_moves=values["allow_moves"],
        )
        return Response([_assignment(a) for a in made], status=status.HTTP_201_CREATED)


def _own_run(request, pk):
    _allocator(request)
    run = selectors.optimiser_run_get(user=request.user, pk=pk)
    if run is None:
        raise Http404
    return run


class OptimiserRunList(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.OfficersRunStartSerializer, responses={202: s.OfficersRunSerializer})
    @idempotent("officers.optimiser_run")
    def post(self, request):
        """Queue an optimiser run for several of your BCUs (all by default), one BCU at a time in the background.
        Poll the run until its status is "done", then apply some or all of its proposals."""
        _allocator(request)
        data = s.OfficersRunStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bcus = data.validated_data.get("bcus")
        try:
            run = services.optimiser_run_start(
                actor=request.user,
                bcu_ids=None if bcus is None else [bcu.pk for bcu in bcus],
                allow_moves=data.validated_data["allow_moves"],
            )
        except DomainError as error:  # the service names its argument `bcu_ids`; the API's field is `bcus`
            if error.field != "bcu_ids":
                raise
            raise ValidationError({"bcus": [error.message]}) from error
        return Response(s.OfficersRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class OptimiserRunDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.OfficersRunSerializer)
    def get(self, request, pk):
        """One of your optimiser runs: its status and, when done, the proposal for each BCU."""
        return Response(s.OfficersRunSerializer(_own_run(request, pk)).data)


class OptimiserRunApply(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.OfficersRunApplySerializer, responses={201: s.OfficersAssignmentSerializer(many=True)})
    @idempotent("officers.optimiser_run_apply")
    def post(self, request, pk):
        """Apply some or all of a run's proposals in one action: each must be one the run proposed and pass the hard
        rules now, or nothing is written (409)."""
        run = _own_run(request, pk)
        data = s.OfficersRunApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = services.optimiser_run_apply(
            actor=request.user,
            run_id=run.pk,
            pairs=[(p["bcu"].pk, p["school_urn"], p["officer_id"]) for p in data.validated_data["proposals"]],
        )
        return Response([_assignment(a) for a in made], status=status.HTTP_201_CREATED)


class WeightOverride(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.OfficersWeightOverrideSerializer, responses=s.OfficersWeightOverrideSerializer)
    def post(self, request, urn):
        _allocator(request)
        if selectors.school_for_allocator(user=request.user, urn=urn) is None:
            raise Http404
        data = s.OfficersWeightOverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        override = services.weight_override_set(actor=request.user, school_urn=urn, **data.validated_data)
        return Response({"weight": override.weight, "reason": override.reason})


class OfficerRequestCreate(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=s.OfficersOfficerRequestCreateSerializer,
        responses={
            201: inline_serializer("OfficersRequestMade", {"id": serializers.IntegerField()}),
            404: OpenApiResponse(description="Not a school you are the headteacher of"),
        },
    )
    @idempotent("officers.request")
    def post(self, request):
        """A headteacher asks for a named officer or a different one, with a reason."""
        data = s.OfficersOfficerRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if not selectors.headteacher_schools(request.user).filter(pk=values["school_urn"]).exists():
            raise Http404
        made = services.officer_request_create(actor=request.user, **values)
        return Response({"id": made.pk}, status=status.HTTP_201_CREATED)


class NamedOfficers(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.OfficersNamedOfficerSerializer(many=True))
    def get(self, request):
        """Your schools' named officers: name, rank and role (codes and labels) and work contact."""
        schools = list(selectors.headteacher_schools(request.user))
        officers = selectors.named_officers_for_schools([school.pk for school in schools])
        rows = []
        for school in schools:
            officer = officers.get(school.pk)
            rows.append(
                {
                    "school_urn": school.pk,
                    "school_name": school.name,
                    "officer_name": officer.name if officer else None,
                    "rank": officer.rank if officer else None,
                    "rank_label": officer.get_rank_display() if officer else None,
                    "role_type": officer.role_type if officer else None,
                    "role_type_label": officer.get_role_type_display() if officer else None,
                    "work_email": officer.work_email if officer else None,
                    "work_phone": officer.work_phone if officer else None,
                }
            )
        return Response(s.OfficersNamedOfficerSerializer(rows, many=True).data)


class MySchools(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "OfficersMySchool",
            {
                "urn": serializers.IntegerField(),
                "name": serializers.CharField(),
                "since": serializers.DateField(),
                "activity": s.OfficersActivitySerializer(many=True),
            },
            many=True,
        )
    )
    def get(self, request):
        """The schools you are the named officer for."""
        officer = selectors.officer_of_user(request.user)
        if officer is None:
            raise ApiPermissionDenied("Only officers linked to an officer record have schools.")
        return Response(
            [
                {
                    "urn": r["school"].pk,
                    "name": r["school"].name,
                    "since": r["since"],
                    "activity": s.OfficersActivitySerializer(r["activity"], many=True).data,
                }
                for r in selectors.officer_school_rows(officer)
            ]
        )

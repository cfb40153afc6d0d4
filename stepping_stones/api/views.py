"""The Stepping Stones API: the same services and selectors as the pages.

- Pupil records are addressed by reference only; searching is a POST. Out of scope → 404.
- "View as" is refused before any view runs (`NotViewingAs`): 404 where the URL names something, else 403.
- 400 with field errors (every failed check of a referral at once), 409 on conflicts (full, locked, duplicate, state).
- Every response carries `Cache-Control: no-store`; POST bodies are marked sensitive (error reports never show them).
- Viewing a referral's detail, a subject-access export and search results are logged on the pupil's record; each
  page of the referral list leaves one access record naming the references it showed.
"""

from django.http import Http404
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.identity.view_as import is_viewing_as
from core.api.exceptions import domain_error_problem
from core.api.middleware import is_precondition_check
from core.api.negotiation import FileAnswer
from core.api.pagination import PagePagination, cursor_pagination
from core.csv_export import csv_streaming_response
from core.idempotency import idempotent
from core.permissions import require
from schools.models import School
from stepping_stones import permissions, selectors, services
from stepping_stones.models import Need, PossibleDuplicate, Referral

from . import serializers as s

FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [message]} and a code; nothing was written")
CONFLICT = OpenApiResponse(description="Conflict with the current state (full, locked, duplicate, already decided)")
NOT_FOUND = OpenApiResponse(description="No such record, or not one you may see")
CSV_REJECTED = OpenApiResponse(
    description="Nothing imported: the file and every bad row (line and reason)",
    response=inline_serializer(
        "SteppingStonesCsvRejected",
        {
            "file": serializers.ListField(child=serializers.CharField()),
            "code": serializers.CharField(),
            "rows": serializers.ListField(child=serializers.DictField()),
        },
    ),
)


def _errors_response(request, error: services.ReferralInvalid) -> Response:
    """Every failed check at once: problem details with each field's messages (409 when the one failure is a clash)."""
    errors: dict = {}
    for item in error.errors:
        errors.setdefault(item.field or "non_field_errors", []).append(item.message)
    conflict = any(item.status_code == status.HTTP_409_CONFLICT for item in error.errors)
    if conflict and len(error.errors) == 1:
        return domain_error_problem(request, error.errors[0], errors=errors)
    return domain_error_problem(request, error, errors=errors)


class NotViewingAs(BasePermission):
    """View-as reads no pupil record: a programme admin viewing as someone is refused here, once, before the view
    asks any selector (which takes only a user). Where the URL names a record, a cohort or a need, it is one nobody
    viewing as may see (404, as for anyone out of scope); a list or a form is refused (403)."""

    def has_permission(self, request, view) -> bool:
        if not is_viewing_as(request):
            return True
        if view.kwargs:
            raise Http404("Pupil records are not shown while viewing as someone else")
        return False


@method_decorator(sensitive_post_parameters(), name="dispatch")
class SteppingStonesAPIView(APIView):
    """Signed in, not viewing as someone; no caching anywhere; sensitive POST data; every failed check reported at
    once."""

    permission_classes = [IsAuthenticated, NotViewingAs]
    parser_classes = [JSONParser]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response

    def handle_exception(self, exc):
        if isinstance(exc, services.ReferralInvalid):
            return _errors_response(self.request, exc)
        return super().handle_exception(exc)

    # helpers ---------------------------------------------------------------------------------------------------

    def _input(self, serializer_class, *, partial=False):
        data = serializer_class(data=self.request.data, partial=partial)
        data.is_valid(raise_exception=True)
        return data.validated_data

    def _referral(self, reference):
        referral = selectors.referral_get_for(self.request.user, reference)
        if referral is None:
            raise Http404
        return referral

    def _detail(self, referral, *, what: str | None = None, status_code=status.HTTP_200_OK):
        fresh = selectors.referral_get_for(self.request.user, referral.reference)
        if fresh is None:  # e.g. erased: the lead no longer sees it
            return Response({"reference": referral.reference, "status": referral.status}, status=status_code)
        if what and not is_precondition_check(self.request):  # (the GET If-Match compares with shows no one)
            services.referral_viewed(actor=self.request.user, referral=fresh, what=what)
        return Response(s.SteppingStonesReferralDetailSerializer(fresh).data, status=status_code)

    def _cohort(self, year):
        cohort = selectors.cohort_get_for(self.request.user, year)
        if cohort is None:
            raise Http404
        return cohort


# --- cohorts, schools, needs ---------------------------------------------------------------------------------------


class CohortList(SteppingStonesAPIView):
    @extend_schema(responses={200: s.SteppingStonesCohortSerializer(many=True)})
    def get(self, request):
        """Cohorts (coordinators and Stepping Stones leads)."""
        require(permissions.can_use_stepping_stones(request.user))
        return Response(s.SteppingStonesCohortSerializer(selectors.cohorts_visible_to(request.user), many=True).data)

    @extend_schema(
        request=s.SteppingStonesCohortCreateSerializer,
        responses={201: s.SteppingStonesCohortSerializer, 400: FIELD_ERRORS},
    )
    @idempotent("stepping_stones.cohort")
    def post(self, request):
        """Create a cohort by its transition year (coordinators)."""
        values = self._input(s.SteppingStonesCohortCreateSerializer)
        cohort = services.cohort_create(
            actor=request.user, transition_year=values["transition_year"], ends_on=values.get("ends_on")
        )
        return Response(s.SteppingStonesCohortSerializer(cohort).data, status=status.HTTP_201_CREATED)


class CohortDetail(SteppingStonesAPIView):
    @extend_schema(responses={200: s.SteppingStonesCohortSerializer, 404: NOT_FOUND})
    def get(self, request, year):
        return Response(s.SteppingStonesCohortSerializer(self._cohort(year)).data)

    @extend_schema(
        request=s.SteppingStonesCohortUpdateSerializer,
        responses={200: s.SteppingStonesCohortSerializer, 400: FIELD_ERRORS},
    )
    def patch(self, request, year):
        """Change the status or the end date (retention counts from it): coordinators."""
        cohort = self._cohort(year)
        values = self._input(s.SteppingStonesCohortUpdateSerializer, partial=True)
        cohort = services.cohort_update(
            actor=request.user, cohort=cohort, status=values.get("status"), ends_on=values.get("ends_on")
        )
        return Response(s.SteppingStonesCohortSerializer(cohort).data)


class ParticipatingSchoolList(SteppingStonesAPIView):
    @extend_schema(responses={200: s.SteppingStonesParticipatingSchoolSerializer(many=True)})
    def get(self, request, year):
        """The secondaries taking part in the cohort: places, places filled, feeder primaries."""
        cohort = self._cohort(year)
        rows = selectors.participating_schools_for(request.user, cohort=cohort)
        return Response(s.SteppingStonesParticipatingSchoolSerializer(rows, many=True).data)

    @extend_schema(
        request=s.SteppingStonesParticipatingSchoolSetSerializer,
        responses={200: s.SteppingStonesParticipatingSchoolSerializer, 400: FIELD_ERRORS, 409: CONFLICT},
    )
    def post(self, request, year):
        """Add a secondary or change its places and feeders (coordinators)."""
        cohort = self._cohort(year)
        require(permissions.can_manage_cohorts(request.user))
        values = self._input(s.SteppingStonesParticipatingSchoolSetSerializer)
        school = School.objects.filter(pk=values["school_urn"]).first()
        if school is None:
            raise serializers.ValidationError({"school_urn": ["There is no school with this URN."]})
        feeders = None
        if "feeder_primary_urns" in values:
            urns = set(values["feeder_primary_urns"])
            feeders = list(School.objects.filter(pk__in=urns))
            if len(feeders) != len(urns):
                raise serializers.ValidationError({"feeder_primary_urns": ["Some of these URNs are not schools."]})
        row = services.participating_school_set(
            actor=request.user, cohort=cohort, school=school, places=values["places"], feeder_primaries=feeders
        )
        row = selectors.participating_school_get_for(request.user, cohort=cohort, school_id=row.school_id)
        return Response(s.SteppingStonesParticipatingSchoolSerializer(row).data)


class NeedList(SteppingStonesAPIView):
    @extend_schema(responses={200: s.SteppingStonesNeedSerializer(many=True)})
    def get(self, request):
        """The list of needs a referral may name (coordinators see inactive ones too)."""
        require(permissions.can_use_stepping_stones(request.user))
        needs = selectors.needs_all() if permissions.is_coordinator(request.user) else selectors.needs_active()
        return Response(s.SteppingStonesNeedSerializer(needs, many=True).data)

    @extend_schema(
        request=s.SteppingStonesNeedInputSerializer, responses={201: s.SteppingStonesNeedSerializer, 400: FIELD_ERRORS}
    )
    @idempotent("stepping_stones.need")
    def post(self, request):
        values = self._input(s.SteppingStonesNeedInputSerializer)
        if not values.get("name"):
            raise serializers.ValidationError({"name": ["Enter the need."]})
        need = services.need_create(actor=request.user, name=values["name"], description=values.get("description", ""))
        return Response(s.SteppingStonesNeedSerializer(need).data, status=status.HTTP_201_CREATED)


class NeedDetail(SteppingStonesAPIView):
    @extend_schema(responses={200: s.SteppingStonesNeedSerializer})
    def get(self, request, pk):
        """One need, for the coordinators who change it: its ETag is what a PATCH sends in If-Match."""
        need = selectors.needs_all().filter(pk=pk).first() if 0 < pk < 2**31 else None
        if need is None or not permissions.can_manage_cohorts(request.user):
            raise Http404
        return Response(s.SteppingStonesNeedSerializer(need).data)

    @extend_schema(
        request=s.SteppingStonesNeedInputSerializer, responses={200: s.SteppingStonesNeedSerializer, 400: FIELD_ERRORS}
    )
    def patch(self, request, pk):
        require(permissions.can_manage_cohorts(request.user))
        need = Need.objects.filter(pk=pk).first() if 0 < pk < 2**31 else None
        if need is None:
            raise Http404
        values = self._input(s.SteppingStonesNeedInputSerializer, partial=True)
        need = services.need_update(
            actor=request.user,
            need=need,
            name=values.get("name"),
            description=values.get("description"),
            is_active=values.get("is_active"),
        )
        return Response(s.SteppingStonesNeedSerializer(need).data)


class CohortImport(SteppingStonesAPIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": s.SteppingStonesImportSerializer},
        responses={
            201: inline_serializer(
                "SteppingStonesImportResult",
                {
                    "created": serializers.ListField(child=serializers.CharField()),
                    "temporary_upns": serializers.ListField(child=serializers.CharField()),
                },
            ),
            400: CSV_REJECTED,
        },
    )
    @method_decorator(sensitive_variables())
    @idempotent("stepping_stones.cohort_import")
    def post(self, request, year):
        """Import referrals (with consent) from a CSV: every row checked first; any bad row rejects the file."""
        cohort = self._cohort(year)
        require(permissions.can_manage_cohorts(request.user))
        values = self._input(s.SteppingStonesImportSerializer)
        result = services.cohort_import_csv(actor=request.user, cohort=cohort, file=values["file"])
        return Response(
            {
                "created": [r.reference for r in result.created],
                "temporary_upns": result.temporary_upns,
            },
            status=status.HTTP_201_CREATED,
        )


class EvaluationExport(SteppingStonesAPIView):
    content_negotiation_class = FileAnswer

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(description="Pseudonymised CSV"), 403: None})
    def get(self, request, year):
        """The cohort's pseudonymised evaluation file (no names, UPNs or full dates of birth): coordinators."""
        cohort = self._cohort(year)
        require(permissions.can_export_evaluation(request.user))
        filename, header, rows = services.evaluation_export(actor=request.user, cohort=cohort)
        return csv_streaming_response(filename=filename, header=header, rows=rows)

    def finalize_response(self, request, response, *args, **kwargs):
        # A streaming CSV is not a DRF Response: only add the header.
        if not isinstance(response, Response):
            response["Cache-Control"] = "no-store"
            return response
        return super().finalize_response(request, response, *args, **kwargs)


class Dashboard(SteppingStonesAPIView):
    @extend_schema(responses={200: inline_serializer("SteppingStonesDashboard", {"figures": serializers.DictField()})})
    def get(self, request, year=None):
        """Coordinators: places filled vs available per school, waiting lists, referrals by primary and status,
        attendance. Counts only."""
        cohort = self._cohort(year) if year is not None else None
        figures = selectors.dashboard_figures(request.user, cohort=cohort)
        require(figures is not None)
        attendance = figures.attendance
        return Response(
            {
                "figures": {
                    "cohort": figures.cohort.transition_year if figures.cohort else None,
                    "places": [
                        {
                            "school_urn": row.school_id,
                            "school_name": row.school_name,
                            "places": row.places,
                            "places_filled": row.places_filled,
                            "waiting": row.waiting,
                        }
                        for row in figures.places
                    ],
                    "by_status": figures.by_status,
                    "by_primary": [
                        {"school_urn": urn, "school_name": name, "referrals": n} for urn, name, n in figures.by_primary
                    ],
                    "pending_destination": figures.pending_destination,
                    "attendance": attendance.__dict__ if attendance else None,
                }
            }
        )


# --- referrals -----------------------------------------------------------------------------------------------------


class ReferralList(SteppingStonesAPIView):
    pagination_class = cursor_pagination("-created_at", "-id")

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Referral.Status.values, description="Only referrals in this status."),
            OpenApiParameter(
                "cohort", int, description="Only the cohort of this transition year (the September of Year 7)."
            ),
        ],
        responses={200: s.SteppingStonesReferralListSerializer(many=True), 400: FIELD_ERRORS},
    )
    def get(self, request):
        """Referrals you may see (from or to your school; coordinators all), newest first. No pupil details."""
        require(permissions.can_use_stepping_stones(request.user))
        queryset = selectors.referrals_visible_to(request.user)
        status_filter = request.query_params.get("status")
        if status_filter is not None:
            if status_filter not in Referral.Status.values:
                raise serializers.ValidationError({"status": [f"Choose one of: {', '.join(Referral.Status.values)}."]})
            queryset = queryset.filter(status=status_filter)
        cohort = request.query_params.get("cohort")
        if cohort is not None:
            if not cohort.isdigit():
                raise serializers.ValidationError({"cohort": ["Give a transition year, e.g. 2026."]})
            queryset = queryset.filter(cohort__transition_year=int(cohort))
        # Rows from `.values()` in the serializer's shape (core.api.rows): only the listed columns are read, so no
        # pupil field is loaded for a list, and no model instances are built (docs/performance.md).
        queryset = queryset.select_related(None).prefetch_related(None).values(*s.REFERRAL_LIST_VALUES)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        rows = [s.referral_row(row) for row in page]
        # One access record for the page (a single insert, not one per row): who, the references, the filters.
        services.referrals_listed(
            actor=request.user,
            references=[row["reference"] for row in rows],
            filters={"status": status_filter, "cohort": cohort},
        )
        return paginator.get_paginated_response(rows)

    @extend_schema(
        request=s.SteppingStonesReferralCreateSerializer,
        responses={201: s.SteppingStonesReferralDetailSerializer, 400: FIELD_ERRORS, 409: CONFLICT},
    )
    @method_decorator(sensitive_variables())
    def post(self, request):
        """Start a draft referral (a primary's lead for their school, or a coordinator). Every check runs first."""
        values = self._input(s.SteppingStonesReferralCreateSerializer)
        cohort = selectors.cohort_get_for(request.user, values["cohort"])
        if cohort is None:
            raise serializers.ValidationError({"cohort": ["There is no cohort for that transition year."]})
        # Also a school that cannot refer (an infant school): the service then refuses it on referring_school with
        # the reason, rather than as a school this person does not refer from.
        referring = selectors.referring_school_get_for(request.user, values["referring_school_urn"])
        if referring is None:
            raise serializers.ValidationError(
                {"referring_school_urn": ["You do not refer pupils from a school with this URN."]}
            )
        receiving = None
        if values.get("receiving_school_urn"):
            receiving = School.objects.filter(pk=values["receiving_school_urn"]).first()
            if receiving is None:
                raise serializers.ValidationError({"receiving_school_urn": ["There is no school with this URN."]})
        referral = services.referral_create(
            actor=request.user,
            cohort=cohort,
            referring_school=referring,
            receiving_school=receiving,
            first_name=values["first_name"],
            last_name=values["last_name"],
            date_of_birth=values["date_of_birth"],
            upn=values["upn"],
            outside_age_group_reason=values.get("outside_age_group_reason", ""),
            needs=values.get("needs", []),
            strengths=values.get("strengths", ""),
            known_by_name=values.get("known_by_name", ""),
            known_by_role=values.get("known_by_role", ""),
            priority=values.get("priority", 3),
        )
        return self._detail(referral, status_code=status.HTTP_201_CREATED)


class ReferralDetail(SteppingStonesAPIView):
    @extend_schema(responses={200: s.SteppingStonesReferralDetailSerializer, 404: NOT_FOUND})
    def get(self, request, reference):
        """The whole record (logged on the pupil's access log)."""
        return self._detail(self._referral(reference), what="api detail")

    @extend_schema(
        request=s.SteppingStonesReferralUpdateSerializer,
        responses={200: s.SteppingStonesReferralDetailSerializer, 400: FIELD_ERRORS, 409: CONFLICT},
    )
    @method_decorator(sensitive_variables())
    def patch(self, request, reference):
        """Change the pupil's details: the primary until the secondary accepts (then 409), coordinators always."""
        referral = self._referral(reference)
        values = dict(self._input(s.SteppingStonesReferralUpdateSerializer, partial=True))
        if "receiving_school_urn" in values:
            urn = values.pop("receiving_school_urn")
            values["receiving_school"] = School.objects.filter(pk=urn).first() if urn else None
            if urn and values["receiving_school"] is None:
                raise serializers.ValidationError({"receiving_school_urn": ["There is no school with this URN."]})
        referral = services.referral_update(actor=request.user, referral=referral, **values)
        return self._detail(referral)


class _Action(SteppingStonesAPIView):
    """POST to a referral you may see (404 otherwise); the service decides whether you may act (403)."""

    input_serializer = None

    def act(self, referral, values):  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    @method_decorator(sensitive_variables())
    def post(self, request, reference):
        referral = self._referral(reference)
        values = self._input(self.input_serializer) if self.input_serializer else {}
        result = self.act(referral, values)
        return self._detail(getattr(result, "referral", result))


def _action_schema(input_serializer, doc):
    return extend_schema(
        request=input_serializer,
        responses={200: s.SteppingStonesReferralDetailSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND, 409: CONFLICT},
        description=doc,
    )


@method_decorator(
    _action_schema(s.SteppingStonesConsentInputSerializer, "Record the parent's or carer's consent."), name="post"
)
class ConsentView(_Action):
    input_serializer = s.SteppingStonesConsentInputSerializer

    def act(self, referral, values):
        return services.consent_record(actor=self.request.user, referral=referral, **values)


@method_decorator(
    _action_schema(None, "Submit a draft: needs consent; goes to the secondary or the VRU's pending queue."),
    name="post",
)
class SubmitView(_Action):
    def act(self, referral, values):
        return services.referral_submit(actor=self.request.user, referral=referral)


@method_decorator(
    _action_schema(s.SteppingStonesDestinationSerializer, "Route a pending referral to its secondary."), name="post"
)
class DestinationView(_Action):
    input_serializer = s.SteppingStonesDestinationSerializer

    def act(self, referral, values):
        school = School.objects.filter(pk=values["receiving_school_urn"]).first()
        if school is None:
            raise serializers.ValidationError({"receiving_school_urn": ["There is no school with this URN."]})
        return services.referral_set_destination(actor=self.request.user, referral=referral, receiving_school=school)


@method_decorator(
    _action_schema(None, "Accept (takes a place; 409 when full) or confirm an offered place."), name="post"
)
class AcceptView(_Action):
    def act(self, referral, values):
        return services.referral_accept(actor=self.request.user, referral=referral)


@method_decorator(
    _action_schema(s.SteppingStonesWaitlistSerializer, "Put on the waiting list (priority then date)."), name="post"
)
class WaitlistView(_Action):
    input_serializer = s.SteppingStonesWaitlistSerializer

    def act(self, referral, values):
        return services.referral_waitlist(actor=self.request.user, referral=referral, priority=values.get("priority"))


@method_decorator(
    _action_schema(s.SteppingStonesReasonSerializer, "Decline with a reason the primary sees."), name="post"
)
class DeclineView(_Action):
    input_serializer = s.SteppingStonesReasonSerializer

    def act(self, referral, values):
        return services.referral_decline(actor=self.request.user, referral=referral, reason=values["reason"])


@method_decorator(
    _action_schema(s.SteppingStonesAdvanceSerializer, "Enrolled → active → completed, each with a short reason."),
    name="post",
)
class AdvanceView(_Action):
    input_serializer = s.SteppingStonesAdvanceSerializer

    def act(self, referral, values):
        return services.referral_advance(
            actor=self.request.user, referral=referral, to=values["to"], reason=values.get("reason", "")
        )


@method_decorator(_action_schema(s.SteppingStonesProgressSerializer, "Attendance and peer mentor."), name="post")
class ProgressView(_Action):
    input_serializer = s.SteppingStonesProgressSerializer

    def act(self, referral, values):
        services.progress_update(actor=self.request.user, referral=referral, **values)
        return referral


@method_decorator(
    _action_schema(
        s.SteppingStonesWithdrawSerializer, "Withdraw (or moved school) with a reason; a held place is offered on."
    ),
    name="post",
)
class WithdrawView(_Action):
    input_serializer = s.SteppingStonesWithdrawSerializer

    def act(self, referral, values):
        return services.referral_withdraw(
            actor=self.request.user, referral=referral, reason=values["reason"], moved_school=values["moved_school"]
        )


@method_decorator(
    _action_schema(
        s.SteppingStonesOptionalReasonSerializer, "Consent withdrawn: the pupil is withdrawn and the record minimised."
    ),
    name="post",
)
class WithdrawConsentView(_Action):
    input_serializer = s.SteppingStonesOptionalReasonSerializer

    def act(self, referral, values):
        return services.consent_withdraw(actor=self.request.user, referral=referral, reason=values.get("reason", ""))


@method_decorator(
    _action_schema(s.SteppingStonesReasonSerializer, "Erase the pupil on request (coordinators)."), name="post"
)
class EraseView(_Action):
    input_serializer = s.SteppingStonesReasonSerializer

    def act(self, referral, values):
        return services.referral_erase(actor=self.request.user, referral=referral, reason=values["reason"])


class SubjectAccessView(SteppingStonesAPIView):
    @extend_schema(
        responses={200: inline_serializer("SteppingStonesSubjectAccess", {"record": serializers.DictField()})}
    )
    def get(self, request, reference):
        """Everything held about the pupil (coordinators); the export is logged."""
        referral = self._referral(reference)
        require(permissions.can_export_subject_access(request.user, referral))
        return Response({"record": services.referral_subject_access_export(actor=request.user, referral=referral)})


class AccessLogView(SteppingStonesAPIView):
    pagination_class = cursor_pagination("-created_at", "-id")  # audit entries: grows with every view

    @extend_schema(responses={200: s.SteppingStonesAccessLogEntrySerializer(many=True)})
    def get(self, request, reference):
        """Who viewed, changed or exported this record, when and what (coordinators)."""
        referral = self._referral(reference)
        require(permissions.can_view_access_log(request.user, referral))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.referral_access_log(request.user, referral), request, view=self)
        return paginator.get_paginated_response(s.SteppingStonesAccessLogEntrySerializer(page, many=True).data)


class SearchView(SteppingStonesAPIView):
    @extend_schema(
        request=s.SteppingStonesSearchSerializer,
        responses={200: s.SteppingStonesReferralListSerializer(many=True), 400: FIELD_ERRORS},
    )
    @method_decorator(sensitive_variables())
    def post(self, request):
        """Find a pupil among the referrals you may see, by UPN, name or date of birth (POST: never in a URL).
        At most 50 results; each is logged on that pupil's record."""
        require(permissions.can_use_stepping_stones(request.user))
        values = self._input(s.SteppingStonesSearchSerializer)
        results = list(
            selectors.referral_find(
                request.user, upn=values.get("upn"), name=values.get("name"), dob=values.get("date_of_birth")
            ).prefetch_related(None)[:50]
        )
        for referral in results:
            services.referral_viewed(actor=request.user, referral=referral, what="api search result")
        return Response(s.SteppingStonesReferralListSerializer(results, many=True).data)


class PendingDestinationList(SteppingStonesAPIView):
    # A work queue in priority order that coordinators empty: page numbers, with its length as `count`.
    pagination_class = PagePagination

    @extend_schema(responses={200: s.SteppingStonesReferralListSerializer(many=True)})
    def get(self, request):
        """The VRU's queue of submitted referrals whose secondary is not yet known (coordinators)."""
        require(permissions.can_view_pending_destinations(request.user))
        queryset = selectors.pending_destinations_for(request.user).prefetch_related(None)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(s.SteppingStonesReferralListSerializer(page, many=True).data)


# --- possible duplicates (coordinators) ------------------------------------------------------------------------------


class PossibleDuplicateList(SteppingStonesAPIView):
    pagination_class = cursor_pagination("created_at", "id")  # oldest first; grows with every pair found

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "decision", str, enum=["open", "merged", "declined", "kept_both", "all"], description="Default open"
            )
        ],
        responses={200: s.SteppingStonesPossibleDuplicateSerializer(many=True), 400: FIELD_ERRORS},
    )
    def get(self, request):
        """Pairs of referrals with the same UPN from two schools (neither school was told), oldest first."""
        require(permissions.can_decide_duplicates(request.user))
        decision = request.query_params.get("decision", "open")
        if decision not in {*PossibleDuplicate.Decision.values, "all"}:
            raise serializers.ValidationError({"decision": ["Choose open, merged, declined, kept_both or all."]})
        queryset = selectors.possible_duplicates_for(request.user, decision=None if decision == "all" else decision)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(s.SteppingStonesPossibleDuplicateSerializer(page, many=True).data)


class _DuplicateAction(SteppingStonesAPIView):
    input_serializer = None

    def act(self, flag, values):  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    @method_decorator(sensitive_variables())
    def post(self, request, pk):
        require(permissions.can_decide_duplicates(request.user))
        flag = selectors.possible_duplicate_get_for(request.user, pk)
        if flag is None:
            raise Http404
        values = self._input(self.input_serializer)
        self.act(flag, values)
        fresh = selectors.possible_duplicate_get_for(request.user, pk)
        return Response(s.SteppingStonesPossibleDuplicateSerializer(fresh).data)


def _duplicate_schema(input_serializer, doc):
    return extend_schema(
        request=input_serializer,
        responses={
            200: s.SteppingStonesPossibleDuplicateSerializer,
            400: FIELD_ERRORS,
            404: NOT_FOUND,
            409: CONFLICT,
        },
        description=doc,
    )


@method_decorator(
    _duplicate_schema(
        s.SteppingStonesDuplicateMergeSerializer,
        "Keep one record (`keep`: its reference); the other is withdrawn as merged. Each school is told about its "
        "own referral only.",
    ),
    name="post",
)
class DuplicateMergeView(_DuplicateAction):
    input_serializer = s.SteppingStonesDuplicateMergeSerializer

    def act(self, flag, values):
        services.duplicate_merge(actor=self.request.user, duplicate=flag, keep=values["keep"], note=values["reason"])


@method_decorator(
    _duplicate_schema(
        s.SteppingStonesDuplicateDeclineSerializer,
        "Decline one (`decline`: its reference) with a reason its school sees.",
    ),
    name="post",
)
class DuplicateDeclineView(_DuplicateAction):
    input_serializer = s.SteppingStonesDuplicateDeclineSerializer

    def act(self, flag, values):
        services.duplicate_decline(
            actor=self.request.user, duplicate=flag, decline=values["decline"], reason=values["reason"]
        )


@method_decorator(
    _duplicate_schema(s.SteppingStonesOptionalReasonSerializer, "Two pupils after all: both carry on unchanged."),
    name="post",
)
class DuplicateKeepBothView(_DuplicateAction):
    input_serializer = s.SteppingStonesOptionalReasonSerializer

    def act(self, flag, values):
        services.duplicate_keep_both(actor=self.request.user, duplicate=flag, reason=values.get("reason", ""))

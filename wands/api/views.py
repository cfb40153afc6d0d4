"""The wands API: the same services and selectors as the pages. 400 with field errors, 409 for state conflicts."""

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.idempotency import IDEMPOTENCY_KEY_HEADER
from core.api.pagination import CreatedCursorPagination
from core.api.rows import ValuesListMixin
from core.csv_import import CsvRejected
from core.idempotency import idempotent, idempotent_create
from schools.api.filters import la_code_filter
from schools.models import School
from schools.selectors import school_get
from wands import permissions, selectors, services
from wands.filters import WandRequestFilter
from wands.models import WandIssue

from . import serializers as s

CSV_REJECTED = OpenApiResponse(
    description="Nothing applied: the file and every bad row (line and reason)",
    response=inline_serializer(
        "WandCsvRejected",
        {
            "file": serializers.ListField(child=serializers.CharField()),
            "code": serializers.CharField(),
            "rows": serializers.ListField(child=serializers.DictField()),
        },
    ),
)


def _csv_rejected(error: CsvRejected):
    """400 problem details naming the file, with every bad line in `rows` (core.api.exceptions)."""
    raise error


class WandRequestApiFilter(WandRequestFilter):
    """The queue's filters without its `sort` (the API pages by cursor, newest first, and a cursor fixes the order: a
    `sort` would have been silently ignored), with the borough as `la_code`, its name everywhere in the API."""

    sort = None
    la_code = la_code_filter("school__local_authority", WandRequestFilter.base_filters["borough"].queryset)
    borough = None

    class Meta(WandRequestFilter.Meta):
        fields = ["status", "la_code", "bcu", "phase"]


class WandRequestList(ValuesListMixin, generics.ListCreateAPIView):
    """Wand requests you may see (a school its own; programme staff all), newest first, with the queue's filters."""

    permission_classes = [IsAuthenticated]
    # The list: rows from `.values()` in WandRequestSerializer's shape (docs/performance.md).
    values_fields = s.WAND_REQUEST_LIST_VALUES
    represent_row = staticmethod(s.wand_request_row)
    pagination_class = CreatedCursorPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = WandRequestApiFilter
    serializer_class = s.WandRequestSerializer

    def get_queryset(self):
        return selectors.wand_requests_visible_to(self.request.user)

    @extend_schema(
        request=s.WandRequestCreateSerializer,
        parameters=[IDEMPOTENCY_KEY_HEADER],
        responses={
            201: s.WandRequestSerializer,
            422: OpenApiResponse(description="The idempotency key was already used with a different request"),
        },
    )
    def post(self, request, *args, **kwargs):
        """Request wands for a school you act for. The same idempotency key sent again (in the body or the
        Idempotency-Key header) answers exactly as the first time, with the header `Idempotent-Replayed: true`."""
        data = s.WandRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        school = selectors.wand_schools_for(request.user).filter(pk=values["school_urn"]).first()
        if school is None:
            raise serializers.ValidationError({"school_urn": ["You do not request wands for a school with this URN."]})
        key = values.get("idempotency_key") or request.headers.get("Idempotency-Key", "")

        default = selectors.default_delivery_address(school)

        def create() -> dict:
            wand_request = services.wand_request_submit(
                actor=request.user,
                school=school,
                quantity=values["quantity"],
                contact_name=values["contact_name"],
                contact_phone=values["contact_phone"],
                delivery_address=values.get("delivery_address") or default["delivery_address"],
                delivery_postcode=values.get("delivery_postcode") or default["delivery_postcode"],
                policy_confirmed=values["policy_confirmed"],
                idempotency_key=key,
            )
            return s.WandRequestSerializer(selectors.wand_request_get(user=request.user, pk=wand_request.pk)).data

        return idempotent_create(
            user=request.user,
            scope="wands.request",
            key=key,
            payload={name: value for name, value in values.items() if name != "idempotency_key"},
            create=create,
        )


class WandRequestDetail(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = s.WandRequestSerializer

    def get_queryset(self):
        return selectors.wand_requests_visible_to(self.request.user)


class _RequestAction(APIView):
    """POST to a request you may see (404 otherwise); the service decides whether you may act (403)."""

    permission_classes = [IsAuthenticated]
    input_serializer = None

    def _visible(self, pk):
        wand_request = selectors.wand_request_get(user=self.request.user, pk=pk)
        if wand_request is None:
            raise Http404
        return wand_request

    def _input(self):
        if self.input_serializer is None:
            return {}
        data = self.input_serializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data

    def _respond(self, wand_request):
        return Response(
            s.WandRequestSerializer(selectors.wand_request_get(user=self.request.user, pk=wand_request.pk)).data
        )


class ApproveView(_RequestAction):
    input_serializer = s.WandReasonSerializer

    @extend_schema(request=s.WandReasonSerializer, responses={200: s.WandApprovalResultSerializer})
    def post(self, request, pk):
        """Approve and reserve the wands; when stock is short the request waits and `wands_short` says by how many."""
        self._visible(pk)
        values = self._input()
        outcome = services.wand_request_approve(wand_request_id=pk, actor=request.user, note=values["reason"])
        outcome.wand_request = selectors.wand_request_get(user=request.user, pk=pk)
        return Response(s.WandApprovalResultSerializer(outcome).data)


class RejectView(_RequestAction):
    input_serializer = s.WandRejectSerializer

    @extend_schema(request=s.WandRejectSerializer, responses={200: s.WandRequestSerializer})
    def post(self, request, pk):
        self._visible(pk)
        values = self._input()
        return self._respond(
            services.wand_request_reject(wand_request_id=pk, actor=request.user, reason=values["reason"])
        )


class CancelView(_RequestAction):
    input_serializer = s.WandReasonSerializer

    @extend_schema(request=s.WandReasonSerializer, responses={200: s.WandRequestSerializer})
    def post(self, request, pk):
        self._visible(pk)
        values = self._input()
        return self._respond(
            services.wand_request_cancel(wand_request_id=pk, actor=request.user, reason=values["reason"])
        )


class DispatchView(_RequestAction):
    input_serializer = s.WandDispatchSerializer

    @extend_schema(request=s.WandDispatchSerializer, responses={200: s.WandRequestSerializer})
    def post(self, request, pk):
        self._visible(pk)
        values = self._input()
        return self._respond(
            services.wand_request_dispatch(
                wand_request_id=pk,
                actor=request.user,
                courier=values["courier"],
                tracking_reference=values["tracking_reference"],
                serials=values["serials"],
            )
        )


class ConfirmDeliveryView(_RequestAction):
    @extend_schema(request=None, responses={200: s.WandRequestSerializer})
    def post(self, request, pk):
        self._visible(pk)
        return self._respond(services.wand_request_confirm_delivery(wand_request_id=pk, actor=request.user))


class ReportIssueView(_RequestAction):
    input_serializer = s.WandIssueSerializer

    @extend_schema(request=s.WandIssueSerializer, responses={201: s.WandIssueSerializer})
    @idempotent("wands.issue")
    def post(self, request, pk):
        """Report faulty or missing wands: `replacement` opens a replacement request, `return` a return."""
        self._visible(pk)
        values = self._input()
        issue = services.wand_issue_report(
            wand_request_id=pk,
            actor=request.user,
            kind=values["kind"],
            outcome=values["outcome"],
            quantity=values["quantity"],
            details=values["details"],
        )
        return Response(s.WandIssueSerializer(issue).data, status=status.HTTP_201_CREATED)


class ApproveManyView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=s.WandApproveManySerializer,
        responses={
            200: inline_serializer(
                "WandApproveManyResult",
                {
                    "approved": serializers.ListField(child=serializers.CharField()),
                    "waiting_for_stock": serializers.ListField(child=serializers.CharField()),
                    "skipped": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    def post(self, request):
        data = s.WandApproveManySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.wand_requests_approve_many(wand_request_ids=data.validated_data["ids"], actor=request.user)
        return Response(
            {
                "approved": [r.reference for r in outcome.approved],
                "waiting_for_stock": [r.reference for r in outcome.waiting],
                "skipped": [{"reference": ref, "reason": reason} for ref, reason in outcome.skipped],
            }
        )


class AllowanceView(APIView):
    permission_classes = [IsAuthenticated]

    def _school(self, urn):
        try:
            school = school_get(urn=urn)
        except School.DoesNotExist:
            raise Http404 from None
        if not permissions.can_view_wand_school_allowance(self.request.user, school):
            raise Http404
        return school

    @extend_schema(responses={200: s.WandAllowanceSerializer})
    def get(self, request, urn):
        """A school's allowance: how many wands it may hold, has in progress, has received and has left."""
        return Response(s.WandAllowanceSerializer(selectors.school_allowance_figures(school=self._school(urn))).data)

    @extend_schema(request=s.WandOverrideSerializer, responses={200: s.WandAllowanceSerializer})
    def post(self, request, urn):
        """Set (or with null, remove) the school's own allowance, with a reason. Programme admins only."""
        school = self._school(urn)
        data = s.WandOverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.allowance_override_set(
            actor=request.user,
            school=school,
            override=data.validated_data["override"],
            reason=data.validated_data["reason"],
        )
        return Response(s.WandAllowanceSerializer(selectors.school_allowance_figures(school=school)).data)


class _ProgrammeOnly(APIView):
    permission_classes = [IsAuthenticated]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not permissions.can_run_wand_programme(request.user):
            raise ApiPermissionDenied("Only programme admins and fulfilment staff can do this.")


class StockView(_ProgrammeOnly):
    @extend_schema(responses={200: s.WandStockLevelSerializer})
    def get(self, request):
        level = selectors.stock_level()
        return Response(
            s.WandStockLevelSerializer(
                {
                    "on_hand": level.on_hand,
                    "reserved": level.reserved,
                    "available": level.available,
                    "wands_short": selectors.wands_short(),
                }
            ).data
        )


class StockMovementList(_ProgrammeOnly, ValuesListMixin, generics.ListCreateAPIView):
    """The stock ledger, newest first. POST records a delivery from the supplier (waiting requests are reserved)."""

    values_fields = s.STOCK_MOVEMENT_LIST_VALUES
    represent_row = staticmethod(s.stock_movement_row)
    pagination_class = CreatedCursorPagination
    serializer_class = s.WandStockMovementSerializer

    def get_queryset(self):
        return selectors.stock_movements()

    @extend_schema(request=s.WandStockDeliverySerializer, responses={201: s.WandStockMovementSerializer})
    @idempotent("wands.stock_delivery")
    def post(self, request, *args, **kwargs):
        data = s.WandStockDeliverySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movement, _ = services.stock_delivery_record(actor=request.user, **data.validated_data)
        return Response(s.WandStockMovementSerializer(movement).data, status=status.HTTP_201_CREATED)


class WriteOffView(_ProgrammeOnly):
    @extend_schema(request=s.WandWriteOffSerializer, responses={201: s.WandStockMovementSerializer})
    @idempotent("wands.write_off")
    def post(self, request):
        data = s.WandWriteOffSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movement = services.stock_write_off(actor=request.user, **data.validated_data)
        return Response(s.WandStockMovementSerializer(movement).data, status=status.HTTP_201_CREATED)


class DispatchCsvView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": s.WandCsvUploadSerializer},
        responses={
            200: inline_serializer(
                "WandDispatchCsvResult",
                {
                    "dispatched": s.WandRequestSerializer(many=True),
                    "not_dispatched_yet": serializers.IntegerField(
                        help_text="Rows with neither courier nor tracking: skipped, left for a later upload."
                    ),
                    "already_dispatched": serializers.IntegerField(
                        help_text="Rows an earlier upload already dispatched with the same courier and tracking."
                    ),
                },
            ),
            400: CSV_REJECTED,
        },
    )
    def post(self, request):
        """Dispatch the rows of the dispatch list that have a courier and tracking (reference, courier, tracking,
        serials); rows with neither are skipped and counted; if any other row is bad, nothing is dispatched."""
        data = s.WandCsvUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = services.dispatch_csv_apply(
                data=services.csv_upload_read(data.validated_data["file"]), actor=request.user
            )
        except CsvRejected as error:
            return _csv_rejected(error)
        return Response(
            {
                "dispatched": s.WandRequestSerializer(result.dispatched, many=True).data,
                "not_dispatched_yet": result.not_dispatched_yet,
                "already_dispatched": result.already_dispatched,
            }
        )


class ExistingDeliveriesView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": s.WandCsvUploadSerializer},
        responses={
            200: inline_serializer("WandExistingDeliveriesImported", {"imported": serializers.IntegerField()}),
            400: CSV_REJECTED,
        },
    )
    def post(self, request):
        """Import wands delivered before the portal (urn, quantity, date, serials): all rows or none."""
        data = s.WandCsvUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            created = services.existing_deliveries_import(
                data=services.csv_upload_read(data.validated_data["file"]), actor=request.user
            )
        except CsvRejected as error:
            return _csv_rejected(error)
        return Response({"imported": len(created)})


class DashboardView(_ProgrammeOnly):
    @extend_schema(responses={200: inline_serializer("WandDashboard", {"figures": serializers.DictField()})})
    def get(self, request):
        """Take-up by borough and BCU, wands through each stage, stock, median days from request to delivery."""
        return Response({"figures": selectors.dashboard_figures()})


class AllowanceRuleList(_ProgrammeOnly, generics.ListCreateAPIView):
    """The allowance rule's bands. POST sets a band (phase, min_pupils, wands, reason): programme admins only."""

    pagination_class = None
    serializer_class = s.WandAllowanceRuleSerializer

    def get_queryset(self):
        return selectors.allowance_rules()

    @idempotent("wands.allowance_rule")
    def post(self, request, *args, **kwargs):
        data = s.WandAllowanceRuleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = services.allowance_rule_set(actor=request.user, **data.validated_data)
        return Response(s.WandAllowanceRuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class ReturnReceivedView(APIView):
    """Like the request actions: 404 unless you may see the request the return belongs to, then 403 unless you may
    take returns in, and only then is the body read."""

    permission_classes = [IsAuthenticated]

    def _visible_return(self, pk) -> None:
        returned_from = selectors.wand_requests_visible_to(self.request.user).filter(
            issues__pk=pk, issues__outcome=WandIssue.Outcome.RETURN
        )
        if not returned_from.exists():
            raise Http404

    @extend_schema(request=s.WandReturnReceivedSerializer, responses={200: s.WandIssueSerializer})
    def post(self, request, pk):
        """Fulfilment takes in returned wands (a problem reported with the outcome `return`)."""
        self._visible_return(pk)
        if not permissions.can_resolve_wand_issue(request.user):
            raise ApiPermissionDenied("Only fulfilment staff take returns in.")
        data = s.WandReturnReceivedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issue = services.wand_issue_return_received(
            issue_id=pk, actor=request.user, working=data.validated_data["working"]
        )
        return Response(s.WandIssueSerializer(issue).data)


class PickupCollectedView(APIView):
    """Like returns: 404 unless you may see the request the pick-up belongs to, then 403 unless you may collect
    pick-ups, and only then is the body read."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.WandPickupCollectedSerializer, responses={200: s.WandIssueSerializer})
    def post(self, request, pk):
        """Fulfilment collects the faulty wands a replacement was sent for (a pick-up arranged on dispatch)."""
        if selectors.wand_pickup_get(user=request.user, pk=pk) is None:
            raise Http404
        if not permissions.can_collect_wand_pickup(request.user):
            raise ApiPermissionDenied("Only fulfilment staff collect faulty wands.")
        data = s.WandPickupCollectedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issue = services.wand_issue_pickup_collected(
            issue_id=pk, actor=request.user, working=data.validated_data["working"]
        )
        return Response(s.WandIssueSerializer(issue).data)

"""The review of the register's closures and successions over the API: the same services as /schools/changes/."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import PagePagination
from schools import reviews, selectors
from schools.models import SchoolChange
from schools.successions import can_review_changes


class SchoolSummarySerializer(serializers.Serializer):
    urn = serializers.IntegerField()
    name = serializers.CharField()


class OptionSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class QuestionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Answer it in `choices` under this key")
    text = serializers.CharField()
    options = OptionSerializer(many=True)


class ProgrammePreviewSerializer(serializers.Serializer):
    programme = serializers.CharField()
    lines = serializers.ListField(child=serializers.CharField())


class SchoolChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=SchoolChange.Kind.choices)
    status = serializers.ChoiceField(choices=SchoolChange.Status.choices)
    school = SchoolSummarySerializer()
    successor = SchoolSummarySerializer(allow_null=True)
    link_type = serializers.CharField()
    close_date = serializers.DateField(allow_null=True)
    found_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    preview = ProgrammePreviewSerializer(many=True, help_text="What applying it would do (pending changes only)")
    questions = QuestionSerializer(many=True, help_text="Conflicts to answer before applying (pending only)")
    moved = serializers.DictField(child=serializers.IntegerField(), help_text="Records moved (applied changes)")


def change_data(change: SchoolChange, preview=None) -> dict:
    def school(value):
        return None if value is None else {"urn": value.urn, "name": value.name}

    return {
        "id": change.pk,
        "kind": change.kind,
        "status": change.status,
        "school": school(change.school),
        "successor": school(change.successor),
        "link_type": change.link_type,
        "close_date": change.close_date,
        "found_at": change.found_at,
        "decided_at": change.decided_at,
        "reason": change.reason,
        "preview": [{"programme": p, "lines": lines} for p, lines in (preview.programmes if preview else [])],
        "questions": [
            {"key": q.key, "text": q.text, "options": [{"value": v, "label": label} for v, label in q.options]}
            for q in (preview.questions if preview else [])
        ],
        "moved": dict(reviews.moved_counts(change)),
    }


class ReviewerOnly(IsAuthenticated):
    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if not can_review_changes(request.user):
            raise ApiPermissionDenied("Only programme admins review the register's changes.")
        return True


def _change(pk: int) -> SchoolChange:
    try:
        return selectors.school_change_get(change_id=pk)
    except SchoolChange.DoesNotExist:
        raise Http404("No such change") from None


class SchoolChangeChoicesSerializer(serializers.Serializer):
    choices = serializers.DictField(
        child=serializers.CharField(), required=False, default=dict, help_text="Question key -> chosen value"
    )


class SchoolChangeReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class SchoolChangeList(APIView):
    permission_classes = [ReviewerOnly]
    # A review queue emptied by applying or dismissing: page numbers, with its length as `count` ("Apply all 12").
    pagination_class = PagePagination

    @extend_schema(
        summary="Register changes waiting for review",
        operation_id="school_changes_list",
        responses={200: SchoolChangeSerializer(many=True)},
    )
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.school_changes_pending(), request, view=self)
        previews = reviews.school_change_previews(list(page))
        return paginator.get_paginated_response([change_data(p.change, p) for p in previews])


class SchoolChangeDetail(APIView):
    permission_classes = [ReviewerOnly]

    @extend_schema(summary="One register change", responses={200: SchoolChangeSerializer})
    def get(self, request, pk: int):
        change = _change(pk)
        preview = None
        if change.status == SchoolChange.Status.PENDING:
            [preview] = reviews.school_change_previews([change])
        return Response(change_data(change, preview))


class SchoolChangeApply(APIView):
    permission_classes = [ReviewerOnly]

    @extend_schema(
        summary="Apply a closure or succession",
        description="Answer every question in `choices`; an unanswered one is a 400 naming it and nothing is written.",
        request=SchoolChangeChoicesSerializer,
        responses={200: SchoolChangeSerializer},
    )
    def post(self, request, pk: int):
        _change(pk)
        data = SchoolChangeChoicesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reviews.school_change_apply(actor=request.user, change_id=pk, choices=data.validated_data["choices"])
        return Response(change_data(_change(pk)))


class SchoolChangeDismiss(APIView):
    permission_classes = [ReviewerOnly]

    @extend_schema(
        summary="Dismiss a change, with a reason",
        request=SchoolChangeReasonSerializer,
        responses={200: SchoolChangeSerializer},
    )
    def post(self, request, pk: int):
        _change(pk)
        data = SchoolChangeReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reviews.school_changes_dismiss(actor=request.user, change_ids=[pk], reason=data.validated_data["reason"])
        return Response(change_data(_change(pk)))


class SchoolChangeUndo(APIView):
    permission_classes = [ReviewerOnly]

    @extend_schema(
        summary="Undo an applied change (within 30 days)",
        description="409 naming each moved record that changed since, when it can no longer be undone.",
        request=SchoolChangeReasonSerializer,
        responses={200: SchoolChangeSerializer},
    )
    def post(self, request, pk: int):
        _change(pk)
        data = SchoolChangeReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reviews.school_change_undo(actor=request.user, change_id=pk, reason=data.validated_data["reason"])
        return Response(change_data(_change(pk)))


class SchoolChangeApplyAll(APIView):
    permission_classes = [ReviewerOnly]

    @extend_schema(
        summary="Apply every waiting change that has no question",
        request=None,
        responses={
            200: inline_serializer(
                "SchoolChangeApplyAllResult",
                {
                    "applied": serializers.ListField(child=serializers.IntegerField()),
                    "needs_answers": serializers.ListField(child=serializers.IntegerField()),
                },
            )
        },
    )
    def post(self, request):
        ids = list(selectors.school_changes_pending().values_list("pk", flat=True))
        applied, skipped = reviews.school_changes_apply(actor=request.user, change_ids=ids, skip_unanswered=True)
        return Response({"applied": [c.pk for c in applied], "needs_answers": [c.pk for c in skipped]})


class SchoolChangeDismissAll(APIView):
    permission_classes = [ReviewerOnly]

    @extend_schema(
        summary="Dismiss every waiting change, with one reason",
        request=SchoolChangeReasonSerializer,
        responses={
            200: inline_serializer(
                "SchoolChangeDismissAllResult", {"dismissed": serializers.ListField(child=serializers.IntegerField())}
            )
        },
    )
    def post(self, request):
        data = SchoolChangeReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = list(selectors.school_changes_pending().values_list("pk", flat=True))
        dismissed = reviews.school_changes_dismiss(
            actor=request.user, change_ids=ids, reason=data.validated_data["reason"]
        )
        return Response({"dismissed": [c.pk for c in dismissed]})

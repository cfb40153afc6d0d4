"""Thin API views over the roles services: parse, call the service, render. Errors: 400/409 JSON, 404 out of scope."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import PagePagination, cursor_pagination
from core.idempotency import idempotent
from schools.models import School

from .. import selectors, services
from ..models import JoinRequest, Organisation, PoliceRole, ProgrammeRole, SchoolDuty, SchoolMembership
from ..permissions import can_resend_invitations, can_review_role, can_view_school_members
from . import serializers as s


def _status_filter(request, choices) -> str | None:
    """The `status` filter: one of `choices`, or 400 naming it (never silently everything)."""
    value = request.query_params.get("status")
    if value is None:
        return None
    if value not in choices:
        raise ValidationError({"status": [f"Choose one of: {', '.join(choices)}."]})
    return value


ERRORS = {
    400: OpenApiResponse(description="Bad input: each field with its messages"),
    403: OpenApiResponse(description="Not allowed for your roles"),
    404: OpenApiResponse(description="Not found, or outside what you may see"),
    409: OpenApiResponse(description="Clashes with the current state (already decided, already invited)"),
}


class RolesApiView(APIView):
    permission_classes = [IsAuthenticated]

    def parse(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class InvitationListCreateView(generics.ListAPIView, RolesApiView):
    serializer_class = s.InvitationSerializer
    pagination_class = cursor_pagination("-created_at", "-id")  # grows with every invitation

    def get_queryset(self):
        return selectors.invitations_visible_to(self.request.user)

    @extend_schema(summary="Invitations you may see", responses={200: s.InvitationSerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Invite a headteacher (programme admins) or a member of staff (the school's headteacher)",
        description="The invitation link is emailed to the address; it is never returned by the API.",
        request=s.InvitationCreateSerializer,
        responses={201: s.InvitationSerializer, **ERRORS},
    )
    @idempotent("invitations.create")
    def post(self, request):
        data = self.parse(s.InvitationCreateSerializer)
        invite = services.headteacher_invite if data["role"] == "headteacher" else services.staff_invite
        invitation, _token = invite(actor=request.user, school=data["urn"], email=data["email"])
        return Response(s.InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class ExpiredInvitationsView(generics.ListAPIView, RolesApiView):
    serializer_class = s.InvitationSerializer
    pagination_class = PagePagination  # a work list that is emptied by sending again: its total is the task

    def get_queryset(self):
        return selectors.invitations_expired_unanswered(self.request.user)

    def check_permissions(self, request):
        super().check_permissions(request)
        if not can_resend_invitations(request.user):
            raise PermissionDenied("Only programme admins send expired invitations again.")

    @extend_schema(
        summary="Programme admins: invitations that expired unanswered and have not been sent again",
        responses={200: s.InvitationSerializer(many=True), 403: ERRORS[403]},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Programme admins: send expired invitations again (all or none; each gets a new 7-day link)",
        request=s.InvitationsResendSerializer,
        responses={201: s.InvitationSerializer(many=True), **ERRORS},
    )
    @idempotent("invitations.resend_expired")
    def post(self, request):
        data = self.parse(s.InvitationsResendSerializer)
        sent = services.invitations_resend_expired(actor=request.user, invitation_ids=data["invitations"])
        return Response(s.InvitationSerializer(sent, many=True).data, status=status.HTTP_201_CREATED)


class InvitationDetailView(RolesApiView):
    @extend_schema(summary="One invitation", responses={200: s.InvitationSerializer, **ERRORS})
    def get(self, request, pk: int):
        invitation = get_object_or_404(selectors.invitations_visible_to(request.user), pk=pk)
        return Response(s.InvitationSerializer(invitation).data)


class InvitationRevokeView(RolesApiView):
    @extend_schema(summary="Revoke an invitation", request=None, responses={200: s.InvitationSerializer, **ERRORS})
    def post(self, request, pk: int):
        invitation = get_object_or_404(selectors.invitations_visible_to(request.user), pk=pk)
        invitation = services.invitation_revoke(actor=request.user, invitation_id=invitation.pk)
        return Response(s.InvitationSerializer(invitation).data)


class InvitationAcceptView(RolesApiView):
    @extend_schema(
        summary="Accept an invitation sent to your email address",
        request=s.InvitationAcceptSerializer,
        responses={200: s.MembershipSerializer, **ERRORS},
    )
    def post(self, request):
        data = self.parse(s.InvitationAcceptSerializer)
        membership = services.invitation_accept(token=data["token"], user=request.user)
        membership.current_duties = list(membership.duties.current())
        return Response(s.MembershipSerializer(membership).data)


class JoinRequestListCreateView(generics.ListAPIView, RolesApiView):
    serializer_class = s.JoinRequestSerializer
    pagination_class = cursor_pagination("-created_at", "-id")  # grows with every request

    def get_queryset(self):
        queryset = selectors.join_requests_visible_to(self.request.user)
        if (wanted := _status_filter(self.request, JoinRequest.Status.values)) is not None:
            queryset = queryset.filter(status=wanted)
        return queryset

    @extend_schema(
        summary="Requests to join a school that you may see (yours, your school's, or all for admins)",
        parameters=[
            OpenApiParameter("status", str, enum=JoinRequest.Status.values, description="Only requests in this status.")
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Ask to join a school's staff",
        request=s.JoinRequestCreateSerializer,
        responses={201: s.JoinRequestSerializer, **ERRORS},
    )
    @idempotent("join_requests.create")
    def post(self, request):
        data = self.parse(s.JoinRequestCreateSerializer)
        join_request = services.join_request_create(user=request.user, school=data["urn"], message=data["message"])
        return Response(s.JoinRequestSerializer(join_request).data, status=status.HTTP_201_CREATED)


def _join_request(request, pk: int) -> JoinRequest:
    return get_object_or_404(selectors.join_requests_visible_to(request.user), pk=pk)


class JoinRequestDetailView(RolesApiView):
    @extend_schema(summary="One request to join a school", responses={200: s.JoinRequestSerializer, **ERRORS})
    def get(self, request, pk: int):
        return Response(s.JoinRequestSerializer(_join_request(request, pk)).data)


class JoinRequestApproveView(RolesApiView):
    @extend_schema(
        summary="Approve a request to join", request=None, responses={200: s.JoinRequestSerializer, **ERRORS}
    )
    def post(self, request, pk: int):
        join_request = services.join_request_approve(actor=request.user, join_request_id=_join_request(request, pk).pk)
        return Response(s.JoinRequestSerializer(join_request).data)


class JoinRequestDeclineView(RolesApiView):
    @extend_schema(
        summary="Decline a request to join, with a reason",
        request=s.ReasonSerializer,
        responses={200: s.JoinRequestSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        join_request = _join_request(request, pk)
        data = self.parse(s.ReasonSerializer)
        join_request = services.join_request_decline(
            actor=request.user, join_request_id=join_request.pk, reason=data["reason"]
        )
        return Response(s.JoinRequestSerializer(join_request).data)


class OrganisationListCreateView(generics.ListAPIView, RolesApiView):
    serializer_class = s.OrganisationSerializer
    pagination_class = PagePagination  # the verified organisations: a register whose size is asked for

    def get_queryset(self):
        queryset = selectors.organisations_visible_to(self.request.user)
        if (wanted := _status_filter(self.request, Organisation.Status.values)) is not None:
            queryset = queryset.filter(status=wanted)
        return queryset

    @extend_schema(
        summary="Organisations you may see (yours, or all for programme admins)",
        parameters=[
            OpenApiParameter(
                "status", str, enum=Organisation.Status.values, description="Only organisations in this status."
            )
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Register a community, faith or youth organisation",
        request=s.OrganisationRegisterSerializer,
        responses={201: s.OrganisationSerializer, **ERRORS},
    )
    @idempotent("organisations.create")
    def post(self, request):
        data = dict(self.parse(s.OrganisationRegisterSerializer))
        data["borough"] = data.pop("la_code")
        organisation = services.organisation_register(user=request.user, **data)
        return Response(s.OrganisationSerializer(organisation).data, status=status.HTTP_201_CREATED)


def _organisation(request, pk: int) -> Organisation:
    return get_object_or_404(selectors.organisations_visible_to(request.user), pk=pk)


class OrganisationDetailView(RolesApiView):
    @extend_schema(summary="One organisation", responses={200: s.OrganisationSerializer, **ERRORS})
    def get(self, request, pk: int):
        return Response(s.OrganisationSerializer(_organisation(request, pk)).data)


class OrganisationVerifyView(RolesApiView):
    @extend_schema(summary="Verify an organisation", request=None, responses={200: s.OrganisationSerializer, **ERRORS})
    def post(self, request, pk: int):
        organisation = services.organisation_verify(actor=request.user, organisation_id=_organisation(request, pk).pk)
        return Response(s.OrganisationSerializer(organisation).data)


class OrganisationDeclineView(RolesApiView):
    @extend_schema(
        summary="Decline an organisation, with a reason",
        request=s.ReasonSerializer,
        responses={200: s.OrganisationSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        organisation = _organisation(request, pk)
        data = self.parse(s.ReasonSerializer)
        organisation = services.organisation_decline(
            actor=request.user, organisation_id=organisation.pk, reason=data["reason"]
        )
        return Response(s.OrganisationSerializer(organisation).data)


class OrganisationInviteView(RolesApiView):
    @extend_schema(
        summary="Invite someone into an organisation (its members and programme admins)",
        description="The invitation link is emailed to the address; it is never returned by the API. Only a verified "
        "organisation invites (403 `organisation_not_verified` before then), within its daily limits.",
        request=s.OrganisationInvitationCreateSerializer,
        responses={
            201: s.OrganisationInvitationSerializer,
            **ERRORS,
            429: OpenApiResponse(
                description="Daily invitation limit reached (`invitation_limit`), for the organisation or for you; "
                "`Retry-After` says when it lifts"
            ),
        },
    )
    @idempotent("organisations.invite")
    def post(self, request, pk: int):
        organisation = _organisation(request, pk)
        data = self.parse(s.OrganisationInvitationCreateSerializer)
        invitation, _token = services.organisation_invite(
            actor=request.user, organisation_id=organisation.pk, email=data["email"]
        )
        return Response(s.OrganisationInvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class OrganisationInvitationAcceptView(RolesApiView):
    @extend_schema(
        summary="Accept an invitation into an organisation sent to your email address",
        request=s.InvitationAcceptSerializer,
        responses={200: s.OrganisationMembershipSerializer, **ERRORS},
    )
    def post(self, request):
        data = self.parse(s.InvitationAcceptSerializer)
        membership = services.organisation_invitation_accept(token=data["token"], user=request.user)
        return Response(s.OrganisationMembershipSerializer(membership).data)


_REVIEWED = {"duty": SchoolDuty, "police": PoliceRole, "programme": ProgrammeRole}


class RoleConfirmView(RolesApiView):
    @extend_schema(
        summary="Confirm at access review that a role is still needed (never your own: another reviewer must)",
        request=None,
        responses={200: s.RoleConfirmedSerializer, **ERRORS},
    )
    def post(self, request, kind: str, pk: int):
        model = _REVIEWED.get(kind)
        if model is None:
            raise Http404
        queryset = model.objects.current()
        if kind == "duty":
            queryset = queryset.select_related("membership")
        record = queryset.filter(pk=pk).first()
        if record is None or not can_review_role(request.user, record):
            raise Http404
        record = services.role_confirm(actor=request.user, kind=kind, record_id=record.pk)
        return Response(
            s.RoleConfirmedSerializer(
                {
                    "kind": kind,
                    "pk": record.pk,
                    "confirmed_at": record.confirmed_at,
                    "review_due": selectors.review_due_at(record),
                }
            ).data
        )


class SchoolMembershipListView(generics.ListAPIView, RolesApiView):
    serializer_class = s.MembershipSerializer
    pagination_class = PagePagination  # one school's people: bounded, and its headcount is asked for

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SchoolMembership.objects.none()
        school = get_object_or_404(School, urn=self.kwargs["urn"])
        if not can_view_school_members(self.request.user, school):
            raise Http404
        return selectors.memberships_of_school(school=school, actor=self.request.user)

    @extend_schema(summary="A school's current people and their duties (its headteacher and programme admins)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _membership(request, pk: int):
    membership = selectors.membership_get(membership_id=pk, actor=request.user)
    if membership is None:
        raise Http404
    return membership


def _membership_out(pk: int):
    membership = SchoolMembership.objects.select_related("user", "granted_by").get(pk=pk)
    membership.current_duties = list(membership.duties.current())
    return s.MembershipSerializer(membership).data


class MembershipDutyGrantView(RolesApiView):
    @extend_schema(
        summary="Give a member of your school a duty",
        request=s.DutySerializer,
        responses={201: s.MembershipSerializer, **ERRORS},
    )
    @idempotent("memberships.duty_grant")
    def post(self, request, pk: int):
        membership = _membership(request, pk)
        data = self.parse(s.DutySerializer)
        services.duty_grant(actor=request.user, membership_id=membership.pk, duty=data["duty"])
        return Response(_membership_out(membership.pk), status=status.HTTP_201_CREATED)


class MembershipDutyRemoveView(RolesApiView):
    @extend_schema(
        summary="Remove a duty from a member of your school",
        request=s.DutyRemoveSerializer,
        responses={200: s.MembershipSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        membership = _membership(request, pk)
        data = self.parse(s.DutyRemoveSerializer)
        duty = next((d for d in membership.current_duties if d.duty == data["duty"]), None)
        if duty is None:
            raise ValidationError({"duty": ["They do not have this duty"]})
        services.duty_remove(actor=request.user, duty_id=duty.pk, reason=data["reason"])
        return Response(_membership_out(membership.pk))


class MembershipEndView(RolesApiView):
    @extend_schema(
        summary="End a membership, with a reason",
        request=s.ReasonSerializer,
        responses={200: s.MembershipSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        membership = _membership(request, pk)
        data = self.parse(s.ReasonSerializer)
        services.membership_end(actor=request.user, membership_id=membership.pk, reason=data["reason"])
        return Response(_membership_out(membership.pk))

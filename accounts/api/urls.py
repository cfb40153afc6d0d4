"""Included at /api/v1/ (namespace accounts-api). /api/v1/me/ and tokens are identity's."""

from django.urls import path

from . import views

app_name = "accounts-api"
urlpatterns = [
    path("invitations/", views.InvitationListCreateView.as_view(), name="invitations"),
    path("invitations/expired/", views.ExpiredInvitationsView.as_view(), name="invitations_expired"),
    path("invitations/accept/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
    path("invitations/<int:pk>/", views.InvitationDetailView.as_view(), name="invitation_detail"),
    path("invitations/<int:pk>/revoke/", views.InvitationRevokeView.as_view(), name="invitation_revoke"),
    path("join-requests/", views.JoinRequestListCreateView.as_view(), name="join_requests"),
    path("join-requests/<int:pk>/", views.JoinRequestDetailView.as_view(), name="join_request_detail"),
    path("join-requests/<int:pk>/approve/", views.JoinRequestApproveView.as_view(), name="join_request_approve"),
    path("join-requests/<int:pk>/decline/", views.JoinRequestDeclineView.as_view(), name="join_request_decline"),
    path("organisations/", views.OrganisationListCreateView.as_view(), name="organisations"),
    path("organisations/<int:pk>/", views.OrganisationDetailView.as_view(), name="organisation_detail"),
    path("organisations/<int:pk>/verify/", views.OrganisationVerifyView.as_view(), name="organisation_verify"),
    path("organisations/<int:pk>/decline/", views.OrganisationDeclineView.as_view(), name="organisation_decline"),
    path("organisations/<int:pk>/invitations/", views.OrganisationInviteView.as_view(), name="organisation_invite"),
    path(
        "organisations/invitations/accept/",
        views.OrganisationInvitationAcceptView.as_view(),
        name="organisation_invitation_accept",
    ),
    path("access-reviews/<str:kind>/<int:pk>/confirm/", views.RoleConfirmView.as_view(), name="role_confirm"),
    path("schools/<int:urn>/memberships/", views.SchoolMembershipListView.as_view(), name="school_memberships"),
    path("memberships/<int:pk>/duties/", views.MembershipDutyGrantView.as_view(), name="membership_duty_grant"),
    path(
        "memberships/<int:pk>/duties/remove/", views.MembershipDutyRemoveView.as_view(), name="membership_duty_remove"
    ),
    path("memberships/<int:pk>/end/", views.MembershipEndView.as_view(), name="membership_end"),
]

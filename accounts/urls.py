from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    # Invitations (the accept links, for schools and organisations, carry a secret token: the only URLs with one).
    path("invitations/", views.invitation_list, name="invitations"),
    path("invitations/expired/", views.invitations_expired, name="invitations_expired"),
    path("invitations/headteacher/new/", views.invite_headteacher, name="invite_headteacher"),
    path("invitations/headteacher/upload/", views.invite_headteacher_csv, name="invite_headteacher_csv"),
    path(
        "invitations/headteacher/upload/check/",
        views.invite_headteacher_csv_check,
        name="invite_headteacher_csv_check",
    ),
    path("invitations/<int:pk>/sent/", views.invitation_sent, name="invitation_sent"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/accept/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<int:pk>/accept/", views.invitation_accept_pending, name="invitation_accept_pending"),
    # A school's people, for its headteacher.
    path("my-schools/", views.my_schools, name="my_schools"),
    path("schools/<int:urn>/people/", views.school_people, name="school_people"),
    path("schools/<int:urn>/people/invite/", views.staff_invite, name="staff_invite"),
    path("people/<int:membership_id>/duties/", views.membership_duties, name="membership_duties"),
    path("people/<int:membership_id>/end/", views.membership_end, name="membership_end"),
    path("join-requests/new/", views.join_request_create, name="join_request_create"),
    path("join-requests/<int:pk>/", views.join_request_decide, name="join_request_decide"),
    # Programme admin.
    path("roles/", views.programme_roles, name="programme_roles"),
    path("roles/police/new/", views.police_role_grant, name="police_role_grant"),
    path("roles/programme/new/", views.programme_role_grant, name="programme_role_grant"),
    path("roles/police/<int:pk>/end/", views.police_role_end, name="police_role_end"),
    path("roles/programme/<int:pk>/end/", views.programme_role_end, name="programme_role_end"),
    path("schools-without-headteacher/", views.schools_without_headteacher, name="schools_without_headteacher"),
    path("access-reviews/", views.access_reviews, name="access_reviews"),
    path("access-reviews/<str:kind>/<int:pk>/confirm/", views.role_confirm, name="role_confirm"),
    # Organisations.
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/register/", views.organisation_register, name="organisation_register"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/invite/", views.organisation_invite, name="organisation_invite"),
    path(
        "organisations/invitations/accept/<str:token>/",
        views.organisation_invitation_accept,
        name="organisation_invitation_accept",
    ),
    path(
        "organisations/invitations/<int:pk>/accept/",
        views.organisation_invitation_accept_pending,
        name="organisation_invitation_accept_pending",
    ),
]

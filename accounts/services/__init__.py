"""Every write to roles, memberships, invitations, join requests and organisations. Views and the API call these."""

from .invitations import (
    INVITATION_NOT_VALID,
    InvitationRow,
    InvitationsNotResent,
    headteacher_invitations_check_csv,
    headteacher_invitations_send,
    headteacher_invite,
    invitation_accept,
    invitation_accept_signed_in,
    invitation_for_token,
    invitation_revoke,
    invitations_resend_expired,
    staff_invite,
)
from .join_requests import join_request_approve, join_request_create, join_request_decline
from .memberships import duty_grant, duty_remove, membership_end
from .organisation_invitations import (
    organisation_invitation_accept,
    organisation_invitation_accept_signed_in,
    organisation_invitation_for_token,
    organisation_invite,
)
from .organisations import organisation_decline, organisation_register, organisation_verify
from .programme_roles import (
    police_role_end,
    police_role_grant,
    programme_role_end,
    programme_role_grant,
    user_for_email,
)
from .reviews import (
    OwnAccessRefused,
    access_review_reminders_send,
    own_role_message,
    role_confirm,
    roles_lapse_unconfirmed,
    users_deactivate_dormant,
)

__all__ = [
    "INVITATION_NOT_VALID",
    "InvitationRow",
    "InvitationsNotResent",
    "OwnAccessRefused",
    "access_review_reminders_send",
    "duty_grant",
    "duty_remove",
    "headteacher_invitations_check_csv",
    "headteacher_invitations_send",
    "headteacher_invite",
    "invitation_accept",
    "invitation_accept_signed_in",
    "invitation_for_token",
    "invitation_revoke",
    "invitations_resend_expired",
    "join_request_approve",
    "join_request_create",
    "join_request_decline",
    "membership_end",
    "own_role_message",
    "organisation_decline",
    "organisation_invitation_accept",
    "organisation_invitation_accept_signed_in",
    "organisation_invitation_for_token",
    "organisation_invite",
    "organisation_register",
    "organisation_verify",
    "police_role_end",
    "police_role_grant",
    "programme_role_end",
    "programme_role_grant",
    "role_confirm",
    "roles_lapse_unconfirmed",
    "staff_invite",
    "user_for_email",
    "users_deactivate_dormant",
]

"""The role names used everywhere, as docs/roles.md lists them.

A role is held through a record (a school membership, a duty, a police or programme role, an organisation
membership), never a Django group; `accounts.selectors.user_role_names` turns a user's current records into these names.
"""

HEADTEACHER = "headteacher"
SCHOOL_STAFF = "school_staff"
STEPPING_STONES_LEAD = "stepping_stones_lead"
POLICE_ALLOCATOR = "police_allocator"
POLICE_OFFICER = "police_officer"
PROGRAMME_ADMIN = "programme_admin"
STEPPING_STONES_COORDINATOR = "stepping_stones_coordinator"
TOOLKIT_EDITOR = "toolkit_editor"
FULFILMENT_STAFF = "fulfilment_staff"
ORGANISATION_MEMBER = "organisation_member"

# Not roles anyone holds: the two kinds of visitor the access matrix also walks as.
ANONYMOUS = "anonymous"
SIGNED_IN = "signed_in"

ROLES = (
    HEADTEACHER,
    SCHOOL_STAFF,
    STEPPING_STONES_LEAD,
    POLICE_ALLOCATOR,
    POLICE_OFFICER,
    PROGRAMME_ADMIN,
    STEPPING_STONES_COORDINATOR,
    TOOLKIT_EDITOR,
    FULFILMENT_STAFF,
    ORGANISATION_MEMBER,
)

LABELS = {
    HEADTEACHER: "Headteacher",
    SCHOOL_STAFF: "School staff",
    STEPPING_STONES_LEAD: "Stepping Stones lead",
    POLICE_ALLOCATOR: "Police allocator",
    POLICE_OFFICER: "Police officer",
    PROGRAMME_ADMIN: "Programme admin",
    STEPPING_STONES_COORDINATOR: "Stepping Stones coordinator",
    TOOLKIT_EDITOR: "Toolkit editor",
    FULFILMENT_STAFF: "Fulfilment staff",
    ORGANISATION_MEMBER: "Organisation member",
}

VRU_ROLES = frozenset({PROGRAMME_ADMIN, STEPPING_STONES_COORDINATOR, TOOLKIT_EDITOR})
POLICE_ROLES = frozenset({POLICE_ALLOCATOR, POLICE_OFFICER})

# Two-factor sign-in is required for police, every VRU role, fulfilment staff, headteachers and Stepping Stones leads.
MFA_REQUIRED_ROLES = frozenset(POLICE_ROLES | VRU_ROLES | {FULFILMENT_STAFF, HEADTEACHER, STEPPING_STONES_LEAD})

# Roles that reach pupil or police data lapse unless confirmed at an access review every 6 months.
REVIEWED_ROLES = frozenset(
    {STEPPING_STONES_LEAD, POLICE_ALLOCATOR, POLICE_OFFICER, STEPPING_STONES_COORDINATOR, PROGRAMME_ADMIN}
)
REVIEW_PERIOD_DAYS = 183
REVIEW_REMINDER_DAYS = 14
DORMANT_AFTER_DAYS = 90

"""The scopes an OAuth 2.0 client (a system, not a person) may be given, and how an API view opts in.

A view that systems may call names the one scope it needs: `machine_scope = REGISTER_READ`. A view without one refuses
every OAuth client whatever its scopes (machine_clients.authentication checks it before the view runs), so a new
endpoint is closed to systems until someone decides otherwise. Pupil records (Stepping Stones) never take a scope.
Every scope is read-only: systems never write.
"""

# Access tokens of systems start with this; personal API tokens start "lssp_", so each authentication class knows
# its own tokens without a lookup.
ACCESS_TOKEN_PREFIX = "lssc_"

REGISTER_READ = "register:read"
FIGURES_READ = "figures:read"
BOROUGH_READ = "borough:read"

SCOPES: dict[str, str] = {
    REGISTER_READ: "Read the London schools register: schools, local authorities and BCUs",
    FIGURES_READ: "Read the open figures (JSON and CSV)",
    BOROUGH_READ: "Read the programme figures of the client's own borough's schools",
}

# Views in these apps hold pupil records: refused to OAuth clients even if one declared a scope by mistake.
NEVER_FOR_MACHINES = ("stepping_stones",)


def view_scope(view) -> str | None:
    """The scope a view needs from an OAuth client, or None when systems may not call it at all."""
    if view is None or type(view).__module__.split(".")[0] in NEVER_FOR_MACHINES:
        return None
    return getattr(view, "machine_scope", None)

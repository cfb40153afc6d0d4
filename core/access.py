"""The access matrix: each app declares, in its own `access_matrix.py`, what every role gets from each of its URLs.

`ROWS` is a list of `AccessRow`. `expected` maps a role name to the HTTP status a GET returns for that role; the key
"default" covers roles not named. `kwargs` gives the URL kwargs: a callable returning them when they are fixed (`lambda:
{"pk": 1}`), or the name of the test builder that makes the objects the URL needs, "<app>.<builder>" for the function
`<builder>` in tests/<app>/access_builders.py (called inside the test database). Shipped code never imports `tests`:
the objects are made there, with the test factories. An app that defines roles also exports
`ROLE_BUILDERS: {role: callable() -> user or None}`.
tests/core/test_access_matrix.py walks every URL name of the project and fails on one that no app declared.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .discovery import app_modules

# A role builder named "<role>_sso" makes the same role's user signed in through single sign-on (accounts.sso): no
# portal password or authenticator, a provider identity whose sign-in asserted multi-factor. Rows need not name it:
# it expects what its role expects.
SSO_VARIANT_SUFFIX = "_sso"


def base_role(role: str) -> str:
    return role.removesuffix(SSO_VARIANT_SUFFIX)


@dataclass(frozen=True)
class AccessRow:
    url_name: str
    expected: Mapping[str, int]
    kwargs: Callable[[], dict] | str | None = None
    query: str = ""
    notes: str = field(default="", compare=False)

    def status_for(self, role: str) -> int:
        if role in self.expected:
            return self.expected[role]
        if role.endswith(SSO_VARIANT_SUFFIX):  # the same person signed in through single sign-on: the same answer
            return self.status_for(base_role(role))
        return self.expected["default"]


def collect_rows() -> list[AccessRow]:
    rows: list[AccessRow] = []
    for module in app_modules("access_matrix"):
        rows.extend(getattr(module, "ROWS", []))
    return rows


def collect_role_builders() -> dict[str, Callable]:
    builders: dict[str, Callable] = {}
    for module in app_modules("access_matrix"):
        builders.update(getattr(module, "ROLE_BUILDERS", {}))
    return builders


# URL names that are not ours to declare row by row (third-party views, covered by their own apps' tests).
UNDECLARED_NAMESPACES = {"admin", "djdt"}

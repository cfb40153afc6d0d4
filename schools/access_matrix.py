"""The register is public information: every role, signed in or not, gets the same answers. Its review of
closures and successions is for programme admins."""

from core.access import AccessRow

# The review of closures and successions: programme admins only (accounts says who reviews, schools/successions.py).
REVIEW = {"anonymous": 302, "default": 403, "programme_admin": 200}
REVIEW_API = {"anonymous": 401, "default": 403, "programme_admin": 200}
REVIEW_API_POST = {"anonymous": 401, "default": 403, "programme_admin": 405}

ROWS = [
    AccessRow("schools:list", {"default": 200}),
    AccessRow("schools:list", {"default": 200}, query="borough=999&phase=nonsense", notes="errors shown, not a 500"),
    AccessRow("schools:detail", {"default": 200}, kwargs="schools.school"),
    AccessRow(
        "schools:detail", {"default": 200}, kwargs="schools.closed_school", notes="closed schools keep their page"
    ),
    AccessRow("schools:detail", {"default": 404}, kwargs=lambda: {"urn": 999999}, notes="unknown URN"),
    AccessRow("api-schools-list", {"default": 200}),
    AccessRow("api-schools-list", {"default": 400}, query="borough=999", notes="bad filter: 400 with field errors"),
    AccessRow("api-schools-detail", {"default": 200}, kwargs="schools.school"),
    AccessRow("api-schools-detail", {"default": 404}, kwargs=lambda: {"urn": 999999}),
    AccessRow("api-local-authorities-list", {"default": 200}),
    AccessRow("api-bcus-list", {"default": 200}),
    AccessRow("schools:changes", REVIEW),
    AccessRow("schools:changes_apply_all", {"default": 405}, notes="POST only."),
    AccessRow("schools:changes_dismiss_all", REVIEW),
    AccessRow("schools:change_detail", REVIEW, kwargs="schools.change"),
    AccessRow("schools:change_detail", {**REVIEW, "programme_admin": 404}, kwargs=lambda: {"pk": 999999}),
    AccessRow("api-school-changes-list", REVIEW_API),
    AccessRow("api-school-changes-detail", REVIEW_API, kwargs="schools.change"),
    AccessRow("api-school-changes-detail", {**REVIEW_API, "programme_admin": 404}, kwargs=lambda: {"pk": 999999}),
    AccessRow("api-school-changes-apply", REVIEW_API_POST, kwargs="schools.change"),
    AccessRow("api-school-changes-dismiss", REVIEW_API_POST, kwargs="schools.change"),
    AccessRow("api-school-changes-undo", REVIEW_API_POST, kwargs="schools.change"),
    AccessRow("api-school-changes-apply-all", REVIEW_API_POST),
    AccessRow("api-school-changes-dismiss-all", REVIEW_API_POST),
]

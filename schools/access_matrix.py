"""The register is public information: every role, signed in or not, gets the same answers."""

from core.access import AccessRow


def _school() -> dict:
    from tests.schools.factories import SchoolFactory

    return {"urn": SchoolFactory().urn}


def _closed_school() -> dict:
    from tests.schools.factories import SchoolFactory

    return {"urn": SchoolFactory(closed=True).urn}


ROWS = [
    AccessRow("schools:list", {"default": 200}),
    AccessRow("schools:list", {"default": 200}, query="borough=999&phase=nonsense", notes="errors shown, not a 500"),
    AccessRow("schools:detail", {"default": 200}, kwargs=_school),
    AccessRow("schools:detail", {"default": 200}, kwargs=_closed_school, notes="closed schools keep their page"),
    AccessRow("schools:detail", {"default": 404}, kwargs=lambda: {"urn": 999999}, notes="unknown URN"),
    AccessRow("api-schools-list", {"default": 200}),
    AccessRow("api-schools-list", {"default": 400}, query="borough=999", notes="bad filter: 400 with field errors"),
    AccessRow("api-schools-detail", {"default": 200}, kwargs=_school),
    AccessRow("api-schools-detail", {"default": 404}, kwargs=lambda: {"urn": 999999}),
    AccessRow("api-local-authorities-list", {"default": 200}),
    AccessRow("api-bcus-list", {"default": 200}),
]

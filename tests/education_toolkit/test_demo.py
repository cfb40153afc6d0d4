import io

import pytest

from education_toolkit import demo
from education_toolkit.models import DeliveryReport, Download, FileVersion, Resource
from education_toolkit.selectors import toolkit_analytics

pytestmark = pytest.mark.django_db


def test_demo_catalogue_files_and_analytics(settings):
    from accounts import demo as accounts_demo
    from tests.accounts.factories import SchoolFactory

    settings.DEBUG = True
    SchoolFactory()  # an open secondary school in Hackney, where the demo people work
    accounts_demo.seed(stdout=io.StringIO(), options={"schools": 0})
    out = io.StringIO()
    demo.seed(stdout=out, options={})

    assert Resource.objects.filter(status="published").count() >= 30
    assert set(FileVersion.objects.values_list("kind", flat=True)) == {"pdf", "pptx", "docx"}
    assert Download.objects.count() > 0 and DeliveryReport.objects.count() > 0
    assert toolkit_analytics()["total_downloads"] == Download.objects.count()
    assert Resource.objects.filter(content_updated_at__isnull=False).count() == 1

    again = io.StringIO()
    demo.seed(stdout=again, options={})
    assert "already loaded" in again.getvalue()

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


def test_demo_history_is_spread_over_the_past_year_not_the_seed_time(settings):
    from django.utils import timezone

    from accounts import demo as accounts_demo
    from core.models import AuditEvent
    from tests.accounts.factories import SchoolFactory

    settings.DEBUG = True
    SchoolFactory()
    accounts_demo.seed(stdout=io.StringIO(), options={"schools": 0})
    seeded_at = timezone.now()
    demo.seed(stdout=io.StringIO(), options={})

    created = list(Resource.objects.order_by("pk").values_list("created_at", flat=True))
    assert created == sorted(created)  # the catalogue's order stays the order it was written in
    assert seeded_at - created[0] > timezone.timedelta(days=300)
    assert all(seeded_at - when > timezone.timedelta(days=1) for when in created)
    published = Resource.objects.filter(status="published").exclude(published_at=None)
    assert published.exists()
    assert all(resource.published_at > resource.created_at for resource in published)
    history = AuditEvent.objects.filter(verb__regex=r"^toolkit_(resource|file)\.")
    assert history.count() > len(created)
    assert not history.filter(created_at__gte=seeded_at - timezone.timedelta(days=1)).exists()

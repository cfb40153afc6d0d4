import pytest
from django.test import Client

from public.models import Topic
from tests.accounts.factories import programme_admin, with_two_factor

from .factories import defaults


@pytest.fixture
def statement(db):
    return defaults()


@pytest.fixture
def topics(statement):
    return list(Topic.objects.order_by("order"))


@pytest.fixture
def admin(db):
    return with_two_factor(programme_admin(email="admin@example.org", full_name="Pat Admin"))


@pytest.fixture
def admin_client(admin):
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the block's after-commit callbacks (emails, tasks) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)

"""Fixtures of the roles tests (no autouse fixtures: identity's tests share this folder)."""

import pytest

from .factories import SchoolFactory, headteacher_of, programme_admin, with_two_factor


@pytest.fixture
def school(db):
    return SchoolFactory()


@pytest.fixture
def head(school):
    return with_two_factor(headteacher_of(school, email="head@example.org", full_name="Hana Head"))


@pytest.fixture
def admin(db):
    return with_two_factor(programme_admin(email="admin@example.org", full_name="Pat Admin"))


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks (emails) of the block, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)

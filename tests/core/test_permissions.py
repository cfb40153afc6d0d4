"""core.permissions.predicate: no for visitors, missing objects, bad values and other kinds of object; a bug inside a
predicate (AttributeError, TypeError) fails loudly instead of reading as "no"."""

import pytest
from django.contrib.auth.models import AnonymousUser

from core.permissions import predicate
from schools.models import School


class _User:
    is_authenticated = True
    is_active = True
    pk = 1


@predicate
def _yes(user, thing=0) -> bool:
    return True


@predicate
def _buggy(user, thing) -> bool:
    return thing.no_such_attribute


@predicate
def _bad_value(user, thing) -> bool:
    return int(thing) > 0


@predicate(about=School)
def _about_schools(user, school) -> bool:
    return True


def test_no_for_visitors_and_missing_objects():
    assert _yes(_User()) is True
    assert _yes(None) is False
    assert _yes(AnonymousUser()) is False
    assert _yes(_User(), None) is False


def test_a_bad_value_is_no():
    assert _bad_value(_User(), "not a number") is False


def test_about_answers_no_for_other_kinds_of_object():
    assert _about_schools(_User(), School(urn=1)) is True
    assert _about_schools(_User(), object()) is False


def test_a_bug_fails_loudly():
    with pytest.raises(AttributeError):
        _buggy(_User(), object())

"""core.workflow's action declaration: an action is open where the status allows it and its permission says yes."""

import pytest
from django.core.exceptions import PermissionDenied

from core.workflow import Action, action_open, open_actions, require_action, status_allows


def only_alice(user, obj) -> bool:
    return user == "alice"


def anyone(user, obj) -> bool:
    return True


HERE = __name__


class Ticket:
    NEXT = {"open": {"closed"}, "closed": {"open"}, "archived": set()}
    ACTIONS = {
        "close": Action("Close", to="closed", allowed=f"{HERE}.only_alice"),
        "reopen": Action("Reopen", to="open", allowed=f"{HERE}.anyone"),
        "comment": Action("Comment", statuses=("open",), allowed=f"{HERE}.anyone"),
        "print": Action("Print", allowed=f"{HERE}.anyone"),
    }

    def __init__(self, status):
        self.status = status


def test_a_move_is_open_where_next_allows_it_and_the_permission_says_yes():
    assert action_open(Ticket("open"), "close", "alice")
    assert not action_open(Ticket("open"), "close", "bob")  # the permission says no
    assert not action_open(Ticket("closed"), "close", "alice")  # NEXT does not allow closed -> closed
    assert action_open(Ticket("closed"), "reopen", "bob")
    assert not action_open(Ticket("archived"), "reopen", "bob")


def test_an_action_that_does_not_move_is_open_in_its_statuses_or_in_every_status():
    assert status_allows(Ticket("open"), "comment")
    assert not status_allows(Ticket("closed"), "comment")
    assert all(status_allows(Ticket(status), "print") for status in Ticket.NEXT)


def test_open_actions_names_what_a_template_may_offer():
    assert set(open_actions(Ticket("open"), "alice")) == {"close", "comment", "print"}
    assert set(open_actions(Ticket("open"), "bob")) == {"comment", "print"}
    assert set(open_actions(Ticket("archived"), "alice")) == {"print"}
    assert open_actions(Ticket("open"), "alice")["close"].label == "Close"


def test_require_action_refuses_with_403():
    require_action(Ticket("open"), "close", "alice")
    with pytest.raises(PermissionDenied):
        require_action(Ticket("open"), "close", "bob")
    with pytest.raises(PermissionDenied):
        require_action(Ticket("archived"), "reopen", "alice")


def test_an_unknown_action_is_a_bug_not_a_refusal():
    with pytest.raises(KeyError):
        action_open(Ticket("open"), "delete", "alice")

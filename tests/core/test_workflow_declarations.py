"""Every model's ACTIONS declaration is sound: its permissions import, its statuses are the model's, and a move is one
NEXT allows from somewhere (a typo would leave an action never offered, silently)."""

import pytest
from django.apps import apps
from django.utils.module_loading import import_string

DECLARING = sorted(
    (model for model in apps.get_models() if getattr(model, "ACTIONS", None)), key=lambda m: m._meta.label
)


def test_the_workflow_models_declare_actions():
    assert {m._meta.label for m in DECLARING} >= {
        "wands.WandRequest",
        "education_toolkit.Resource",
        "accounts.Organisation",
        "accounts.JoinRequest",
        "accounts.Invitation",
        "accounts.OrganisationInvitation",
        "machine_clients.MachineClient",
        "schools.SchoolChange",
    }


@pytest.mark.parametrize("model", DECLARING, ids=lambda m: m._meta.label)
def test_each_declaration_names_real_statuses_and_permissions(model):
    statuses = set(model.Status.values)
    for name, action in model.ACTIONS.items():
        assert callable(import_string(action.allowed)), (name, action.allowed)
        assert set(action.statuses) <= statuses, name
        if action.to:
            next_map = getattr(model, action.next_map)
            assert action.to in statuses and any(action.to in targets for targets in next_map.values()), name
    if hasattr(model, "TAG_COLOURS"):
        assert set(model.TAG_COLOURS) == statuses

"""Reads of machine clients and their calls, already scoped to who may see them."""

from django.db.models import QuerySet

from machine_clients.models import MachineClient, MachineClientCall
from machine_clients.permissions import can_manage_machine_clients


def machine_clients_visible_to(user) -> QuerySet[MachineClient]:
    """Every client for programme admins, none for anyone else."""
    if not can_manage_machine_clients(user):
        return MachineClient.objects.none()
    return MachineClient.objects.select_related(
        "application", "local_authority", "organisation", "registered_by", "revoked_by"
    )


def machine_client_visible_to(user, pk: int) -> MachineClient | None:
    return machine_clients_visible_to(user).filter(pk=pk).first()


def machine_client_recent_calls(client: MachineClient, *, limit: int = 20) -> list[MachineClientCall]:
    return list(client.calls.order_by("-at", "-id")[:limit])

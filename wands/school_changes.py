"""What a school's succession does to its wands: open requests move to the successor; delivered ones stay on the old
school and count in the successor's holdings (wands.selectors reads a school's predecessors), so the allowance carries
over and is not given again. Registered with the register's review (schools/successions.py).
"""

from django.db.models import Count, Q, Sum

from schools.successions import Move, Pair, Preview, SuccessionHandler, audit_moved, reassign

from .models import SchoolAllowance, WandRequest, reference_for


class WandsHandler(SuccessionHandler):
    key = "wands"
    programme = "Knife wands"

    def preview(self, pairs: list[Pair], *, questions_only: bool = False) -> dict[Pair, Preview]:
        if questions_only:
            return {}  # wands ask nothing: holdings merge by the allowance rules
        olds = [old for old, _ in pairs]
        rows = {
            row["school_id"]: row
            for row in WandRequest.objects.filter(school_id__in=olds)
            .order_by()
            .values("school_id")
            .annotate(
                open=Count("pk", filter=Q(status__in=WandRequest.OPEN)),
                open_wands=Sum("quantity", filter=Q(status__in=WandRequest.OPEN)),
                delivered=Sum("quantity", filter=Q(status=WandRequest.Status.DELIVERED, replaces__isnull=True)),
            )
        }
        result = {}
        for old, new in pairs:
            row = rows.get(old)
            preview = Preview()
            if row and row["open"]:
                preview.lines.append(
                    f"{row['open']} open wand request{'s' if row['open'] != 1 else ''} "
                    f"({row['open_wands'] or 0} wands) move"
                )
            if row and row["delivered"]:
                preview.lines.append(
                    f"{row['delivered']} delivered wands stay on the old school and count in the successor's allowance"
                )
            result[(old, new)] = preview
        return result

    def move(self, moves: list[Move], *, actor, now) -> dict[int, dict]:
        mapping = {move.old_urn: move.new_urn for move in moves}
        urns = set(mapping) | set(mapping.values())
        # The allowance rows are the lock a wand request takes: a request on the old school either lands before the
        # move (and moves with it) or waits and then finds the school closed.
        SchoolAllowance.objects.bulk_create([SchoolAllowance(school_id=urn) for urn in urns], ignore_conflicts=True)
        list(SchoolAllowance.objects.select_for_update().filter(school_id__in=urns).order_by("school_id"))
        moving = list(
            WandRequest.objects.filter(school_id__in=mapping, status__in=WandRequest.OPEN).values_list(
                "pk", "school_id"
            )
        )
        reassign(WandRequest.objects, "school_id", mapping, pks=[pk for pk, _ in moving])
        payloads = {}
        for move in moves:
            ids = [pk for pk, school_id in moving if school_id == move.old_urn]
            payloads[move.change_id] = {"from": move.old_urn, "to": move.new_urn, "requests": ids}
            audit_moved(
                actor=actor,
                verb="wand_request.moved",
                model=WandRequest,
                records=[(pk, reference_for(pk)) for pk in ids],
                from_urn=move.old_urn,
                to_urn=move.new_urn,
                change_id=move.change_id,
            )
        return payloads

    def changed_since(self, payloads: dict[int, dict]) -> dict[int, list[str]]:
        result = {}
        for change_id, payload in payloads.items():
            moved_on = WandRequest.objects.filter(pk__in=payload["requests"]).exclude(school_id=payload["to"])
            problems = [f"Wand request {request.reference} is no longer with the successor." for request in moved_on]
            if problems:
                result[change_id] = problems
        return result

    def undo(self, payloads: dict[int, dict], *, actor, now) -> None:
        for change_id, payload in payloads.items():
            WandRequest.objects.filter(pk__in=payload["requests"]).update(school_id=payload["from"])
            audit_moved(
                actor=actor,
                verb="wand_request.moved_back",
                model=WandRequest,
                records=[(pk, reference_for(pk)) for pk in payload["requests"]],
                from_urn=payload["to"],
                to_urn=payload["from"],
                change_id=change_id,
            )


HANDLERS = [WandsHandler()]

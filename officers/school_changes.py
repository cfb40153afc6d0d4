"""What a school's succession does to its named police officer: the current assignment moves to the successor (one
current assignment per school still holds; when both schools have one, the admin chooses which stays).
Registered with the register's review (schools/successions.py).
"""

from collections import defaultdict

from schools.successions import Move, Pair, Preview, Question, SuccessionHandler, audit_moved, reassign, siblings

from .models import Assignment

OFFICER_OPTIONS = (
    ("keep_successor", "The successor keeps its officer; the old school's assignment ends"),
    ("keep_predecessor", "The old school's officer takes over; the successor's assignment ends"),
)
ENDED = "The school closed and its successor took over"


class OfficerHandler(SuccessionHandler):
    key = "officers"
    programme = "Safer Schools Officers"

    def preview(self, pairs: list[Pair], *, questions_only: bool = False) -> dict[Pair, Preview]:
        urns = {urn for pair in pairs for urn in pair}
        current = defaultdict(list)
        for school_id, name in Assignment.objects.filter(school_id__in=urns, end_date__isnull=True).values_list(
            "school_id", "officer__name"
        ):
            current[school_id].append(name)
        sharing = siblings(pairs)
        result = {}
        for old, new in pairs:
            preview = Preview()
            if current[old]:
                preview.lines.append(f"The named officer ({current[old][0]}) moves")
                others = current[new] + [name for o in sharing[new] if o != old for name in current[o]]
                if others:
                    preview.questions.append(
                        Question("officer", f"Both schools have a named officer ({others[0]})", OFFICER_OPTIONS)
                    )
            result[(old, new)] = preview
        return result

    def move(self, moves: list[Move], *, actor, now) -> dict[int, dict]:
        mapping = {move.old_urn: move.new_urn for move in moves}
        rows = list(
            Assignment.objects.filter(school_id__in=set(mapping) | set(mapping.values()), end_date__isnull=True)
            .select_for_update()
            .values_list("pk", "school_id")
        )
        at_new = {school_id: pk for pk, school_id in rows if school_id in mapping.values()}
        today = now.date()
        moving, ending, payloads = [], [], {}
        for move in moves:
            payload = {"from": move.old_urn, "to": move.new_urn, "moved": [], "ended": []}
            payloads[move.change_id] = payload
            old_pk = next((pk for pk, school_id in rows if school_id == move.old_urn), None)
            if old_pk is None:
                continue
            new_pk = at_new.get(move.new_urn)
            if new_pk is not None and move.choices.get("officer") != "keep_predecessor":
                ending.append(old_pk)
                payload["ended"].append(old_pk)
                continue
            if new_pk is not None:
                ending.append(new_pk)
                payload["ended"].append(new_pk)
            moving.append(old_pk)
            payload["moved"].append(old_pk)
            at_new[move.new_urn] = old_pk
        if ending:
            Assignment.objects.filter(pk__in=ending).update(end_date=today, end_reason=ENDED)
        reassign(Assignment.objects, "school_id", mapping, pks=moving)
        for change_id, payload in payloads.items():
            common = {"actor": actor, "model": Assignment, "change_id": change_id}
            audit_moved(
                verb="assignment.moved",
                records=[(pk, f"Assignment {pk}") for pk in payload["moved"]],
                from_urn=payload["from"],
                to_urn=payload["to"],
                **common,
            )
            audit_moved(
                verb="assignment.ended",
                records=[(pk, f"Assignment {pk}") for pk in payload["ended"]],
                from_urn="current",
                to_urn="ended",
                **common,
            )
        return payloads

    def changed_since(self, payloads: dict[int, dict]) -> dict[int, list[str]]:
        result = {}
        for change_id, payload in payloads.items():
            moved = Assignment.objects.filter(pk__in=payload["moved"]).exclude(
                school_id=payload["to"], end_date__isnull=True
            )
            problems = [f"The officer assignment for {payload['to']} has since ended or changed." for _ in moved]
            if (
                Assignment.objects.filter(school_id__in=[payload["from"], payload["to"]], end_date__isnull=True)
                .exclude(pk__in=payload["moved"])
                .exists()
            ):
                problems.append("Another officer has been assigned since: end that assignment first.")
            if problems:
                result[change_id] = problems
        return result

    def undo(self, payloads: dict[int, dict], *, actor, now) -> None:
        for change_id, payload in payloads.items():
            Assignment.objects.filter(pk__in=payload["moved"]).update(school_id=payload["from"])
            Assignment.objects.filter(pk__in=payload["ended"]).update(end_date=None, end_reason="")
            audit_moved(
                actor=actor,
                verb="assignment.moved_back",
                model=Assignment,
                records=[(pk, f"Assignment {pk}") for pk in payload["moved"]],
                from_urn=payload["to"],
                to_urn=payload["from"],
                change_id=change_id,
            )


HANDLERS = [OfficerHandler()]

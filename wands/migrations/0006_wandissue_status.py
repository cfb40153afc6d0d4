"""Wand issues get a status moved along WandIssue.NEXT (issue 19), filled from `resolved_at` and, for the wands that
came back, from the audit entry that recorded their condition."""

from django.db import migrations, models

RECEIVED = ("received_working", "received_faulty")


def fill_status(apps, schema_editor):
    WandIssue = apps.get_model("wands", "WandIssue")
    AuditEvent = apps.get_model("core", "AuditEvent")
    open_issues = WandIssue.objects.filter(resolved_at__isnull=True)
    open_issues.filter(outcome="return").update(status="return_expected")
    open_issues.exclude(outcome="return").update(status="replacement")
    resolved = set(WandIssue.objects.filter(resolved_at__isnull=False).values_list("pk", flat=True))
    if not resolved:
        return
    # The condition the wands came back in: a return's audit entry moved to it, a pick-up's holds it in its data.
    condition = {}
    events = AuditEvent.objects.filter(verb__in=("wand_issue.return_received", "wand_issue.pickup_collected"))
    for verb, to_state, data in events.values_list("verb", "to_state", "data").iterator(chunk_size=2000):
        issue = (data or {}).get("issue")
        state = to_state if verb == "wand_issue.return_received" else (data or {}).get("condition")
        if issue in resolved and state in RECEIVED:
            condition[issue] = state
    faulty = [pk for pk in resolved if condition.get(pk) == "received_faulty"]
    WandIssue.objects.filter(pk__in=resolved).update(status="received_working")  # the audit names no condition
    for start in range(0, len(faulty), 500):
        WandIssue.objects.filter(pk__in=faulty[start : start + 500]).update(status="received_faulty")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_sent_email_and_worker_heartbeat"),
        ("wands", "0005_wandissue_pickup"),
    ]

    operations = [
        migrations.AddField(
            model_name="wandissue",
            name="status",
            field=models.CharField(default="replacement", max_length=20),
            preserve_default=False,
        ),
        migrations.RunPython(fill_status, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="wandissue",
            name="status",
            field=models.CharField(
                choices=[
                    ("return_expected", "Return expected"),
                    ("replacement", "Replacement requested"),
                    ("received_working", "Received: working, back in stock"),
                    ("received_faulty", "Received: faulty, written off"),
                ],
                db_index=True,
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="wandissue",
            name="resolved_at",
            field=models.DateTimeField(blank=True, help_text="When the wands came back (the status moved to received).", null=True),
        ),
    ]

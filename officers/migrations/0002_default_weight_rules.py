from django.db import migrations

# Load points: a primary school is the unit; big secondaries, pupil referral units and special schools weigh more.
DEFAULT_RULES = [
    ("", False, 0, 10),
    ("primary", False, 0, 10),
    ("primary", False, 600, 12),
    ("secondary", False, 0, 20),
    ("secondary", False, 1200, 25),
    ("all_through", False, 0, 25),
    ("", True, 0, 15),
]


def load(apps, schema_editor):
    rule = apps.get_model("officers", "SchoolWeightRule")
    for phase, special, min_pupils, weight in DEFAULT_RULES:
        rule.objects.get_or_create(
            phase=phase, pru_or_special=special, min_pupils=min_pupils, defaults={"weight": weight}
        )


class Migration(migrations.Migration):
    dependencies = [("officers", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

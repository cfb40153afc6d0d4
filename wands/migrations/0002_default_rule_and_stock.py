from django.db import migrations

# The starting allowance rule (programme admins change it in the portal): (phase, from pupils, wands).
DEFAULT_BANDS = [
    ("", 0, 2),
    ("primary", 0, 1),
    ("secondary", 0, 4),
    ("secondary", 750, 6),
    ("secondary", 1500, 8),
    ("all_through", 0, 4),
    ("all_through", 1000, 6),
    ("sixteen_plus", 0, 3),
]


def forwards(apps, schema_editor):
    AllowanceRule = apps.get_model("wands", "AllowanceRule")
    StockLevel = apps.get_model("wands", "StockLevel")
    for phase, min_pupils, wands in DEFAULT_BANDS:
        AllowanceRule.objects.get_or_create(phase=phase, min_pupils=min_pupils, defaults={"wands": wands})
    StockLevel.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("wands", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

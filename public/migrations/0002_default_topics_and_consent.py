from django.db import migrations


def load(apps, schema_editor):
    from public.defaults import ensure_defaults

    ensure_defaults(apps.get_model("public", "Topic"), apps.get_model("public", "ConsentStatement"))


class Migration(migrations.Migration):
    dependencies = [("public", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

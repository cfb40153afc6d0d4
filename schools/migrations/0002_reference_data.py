from django.db import migrations


def load(apps, schema_editor):
    from schools.reference_data import load_reference_data

    load_reference_data(
        bcu_model=apps.get_model("schools", "BasicCommandUnit"),
        authority_model=apps.get_model("schools", "LocalAuthority"),
    )


class Migration(migrations.Migration):
    dependencies = [("schools", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

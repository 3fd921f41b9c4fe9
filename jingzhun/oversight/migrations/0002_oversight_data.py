from django.db import migrations


def load(apps, schema_editor):
    from jingzhun.oversight.services import load_oversight_data

    load_oversight_data(parameter_model=apps.get_model("codelists", "Parameter"))


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_initial"), ("codelists", "0004_calendar_day")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

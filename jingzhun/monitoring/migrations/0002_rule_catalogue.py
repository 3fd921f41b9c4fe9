from django.db import migrations


def load(apps, schema_editor):
    from jingzhun.monitoring.services import load_catalogue

    load_catalogue(
        rule_model=apps.get_model("monitoring", "ScreeningRule"),
        parameter_model=apps.get_model("codelists", "Parameter"),
    )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial"), ("codelists", "0002_national_seed")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

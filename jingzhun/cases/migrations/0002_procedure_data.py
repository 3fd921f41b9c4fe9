from django.db import migrations


def load(apps, schema_editor):
    from jingzhun.cases.services import load_procedure_data

    load_procedure_data(
        parameter_model=apps.get_model("codelists", "Parameter"),
        calendar_model=apps.get_model("cases", "CalendarDay"),
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("codelists", "0003_lifted_out_codes")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

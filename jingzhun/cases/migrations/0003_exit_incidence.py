from django.db import migrations


def load(apps, schema_editor):
    # Adds the exit-incidence thresholds (2%, 3% in the west) to the procedures' parameters.
    from jingzhun.cases.services import load_procedure_data

    load_procedure_data(
        parameter_model=apps.get_model("codelists", "Parameter"),
        calendar_model=apps.get_model("cases", "CalendarDay"),
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_procedure_data")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

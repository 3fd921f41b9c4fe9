from django.db import migrations


def load(apps, schema_editor):
    from jingzhun.projects.services import load_project_data

    load_project_data(
        code_list_model=apps.get_model("codelists", "CodeList"),
        item_model=apps.get_model("codelists", "CodeItem"),
        parameter_model=apps.get_model("codelists", "Parameter"),
    )


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial"), ("codelists", "0004_calendar_day")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

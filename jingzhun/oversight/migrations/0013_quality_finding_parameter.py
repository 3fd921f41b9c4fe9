from django.db import migrations


def load(apps, schema_editor):
    from jingzhun.oversight.services import load_oversight_data

    load_oversight_data(
        code_list_model=apps.get_model("codelists", "CodeList"),
        item_model=apps.get_model("codelists", "CodeItem"),
        parameter_model=apps.get_model("codelists", "Parameter"),
    )


class Migration(migrations.Migration):
    dependencies = [("oversight", "0012_quality_findings")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

from django.db import migrations


def load(apps, schema_editor):
    from jingzhun.codelists.services import load_seed, national_seed

    load_seed(
        national_seed(),
        code_list_model=apps.get_model("codelists", "CodeList"),
        item_model=apps.get_model("codelists", "CodeItem"),
        parameter_model=apps.get_model("codelists", "Parameter"),
    )


class Migration(migrations.Migration):
    dependencies = [("codelists", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

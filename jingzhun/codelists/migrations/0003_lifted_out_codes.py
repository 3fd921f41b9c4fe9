from django.db import migrations


def load(apps, schema_editor):
    # The poor-household attributes now name their lifted-out variant (exit procedure).
    from jingzhun.codelists.services import load_seed, national_seed

    load_seed(
        national_seed(),
        code_list_model=apps.get_model("codelists", "CodeList"),
        item_model=apps.get_model("codelists", "CodeItem"),
        parameter_model=apps.get_model("codelists", "Parameter"),
    )


class Migration(migrations.Migration):
    dependencies = [("codelists", "0002_national_seed")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

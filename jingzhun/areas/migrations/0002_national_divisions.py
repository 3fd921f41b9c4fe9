from django.db import migrations


def load(apps, schema_editor):
    from jingzhun.areas.services import areas_load_national

    areas_load_national(area_model=apps.get_model("areas", "Area"))


class Migration(migrations.Migration):
    dependencies = [("areas", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

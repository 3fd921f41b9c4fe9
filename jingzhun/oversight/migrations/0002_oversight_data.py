from django.db import migrations


def load(apps, schema_editor):
    from jingzhun.codelists.services import load_seed

    # The evaluation's parameters as they were first published (later additions: 0005).
    seed = {
        "lists": [],
        "parameters": [
            ["evaluation_villages", "", 2014, 25, "第三方评估抽取的村数（每县）"],
            ["evaluation_registered_per_village", "", 2014, 30, "每村抽取的建档立卡户（脱贫户、监测户）数"],
            ["evaluation_unregistered_per_village", "", 2014, 30, "每村抽取的非建档立卡户数"],
        ],
    }
    load_seed(seed, parameter_model=apps.get_model("codelists", "Parameter"))


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_initial"), ("codelists", "0004_calendar_day")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

import json
from importlib import resources

from django.db import migrations, models


def mark_health_rules(apps, schema_editor):
    # Only the new flag: other fields may have been edited by the province since.
    catalogue = json.loads(
        resources.files("jingzhun.monitoring").joinpath("data/catalogue.json").read_text("utf-8")
    )
    rules = apps.get_model("monitoring", "ScreeningRule")
    codes = [rule["code"] for rule in catalogue["rules"] if rule.get("health_data")]
    rules.objects.filter(code__in=codes).update(health_data=True)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0002_rule_catalogue")]

    operations = [
        migrations.AddField(
            model_name="screeningrule",
            name="health_data",
            field=models.BooleanField(default=False, verbose_name="evidence is health data"),
        ),
        migrations.RunPython(mark_health_rules, migrations.RunPython.noop),
    ]

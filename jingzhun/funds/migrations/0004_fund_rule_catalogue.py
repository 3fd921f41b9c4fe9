from django.db import migrations


def load(apps, schema_editor):
    from jingzhun.funds.monitoring import load_fund_rules

    load_fund_rules(
        rule_model=apps.get_model("funds", "FundRule"),
        parameter_model=apps.get_model("codelists", "Parameter"),
    )


class Migration(migrations.Migration):
    dependencies = [("funds", "0003_fund_monitoring"), ("codelists", "0004_calendar_day")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

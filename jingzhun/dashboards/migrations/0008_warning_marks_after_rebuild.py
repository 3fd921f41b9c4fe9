from django.db import migrations

from jingzhun.dashboards.changes import FACT_SOURCES, install_fact_marks


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0007_facts_marked_by_the_database"),
        ("monitoring", "0008_warnings_checked_by_the_writer"),
    ]

    # SQLite alters a column by rebuilding the table, which drops its triggers: the warnings'
    # marks of changed facts are installed again after the warnings' columns were altered.
    operations = [
        install_fact_marks(
            tuple(source for source in FACT_SOURCES if source.table == "monitoring_riskwarning")
        ),
    ]

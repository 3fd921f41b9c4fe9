from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0003_one_run_life_cycle"),
    ]

    # ExportRecord now belongs to the exports app (its migration 0001 takes the same
    # table over); the table itself is left as it is.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[], state_operations=[migrations.DeleteModel(name="ExportRecord")]
        ),
    ]

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_encrypt_declarations"),
        ("codelists", "0004_calendar_day"),
    ]

    # The table now belongs to codelists (codelists/0004); only the model's state leaves.
    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="CalendarDay")]),
    ]

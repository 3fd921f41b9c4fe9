from django.db import migrations, models

# The working-day calendar is configuration that every procedure counts deadlines
# with (cases, the project library's notices), so it moves here from the cases app:
# the table is adopted as it is, then renamed.


class Migration(migrations.Migration):
    dependencies = [
        ("codelists", "0003_lifted_out_codes"),
        ("cases", "0004_encrypt_declarations"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CalendarDay",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("date", models.DateField(verbose_name="date")),
                        (
                            "province",
                            models.CharField(blank=True, default="", max_length=2, verbose_name="province"),
                        ),
                        ("is_working_day", models.BooleanField(verbose_name="working day")),
                        ("name", models.CharField(blank=True, max_length=50, verbose_name="name")),
                    ],
                    options={
                        "verbose_name": "calendar day",
                        "verbose_name_plural": "working-day calendar",
                        "ordering": ["date"],
                        "db_table": "cases_calendarday",
                        "constraints": [
                            models.UniqueConstraint(fields=("date", "province"), name="calendar_day_unique")
                        ],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="calendarday", table=None),
    ]

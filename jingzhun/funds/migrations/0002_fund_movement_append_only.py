from django.db import migrations

from jingzhun.core.audit import install_append_only


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]

    # The ledger of money is append-only in the database too (PostgreSQL).
    operations = [install_append_only("funds_fundmovement")]

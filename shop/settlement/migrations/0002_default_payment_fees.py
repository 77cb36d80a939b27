"""Payment fees of the built-in providers: the test card gateway (the platform receives the money,
3.00 %) and bank transfer (paid straight into the store's account: no fee, the store owes the
commission). Staff change them in the admin with new effective-from rows."""

import datetime

from django.db import migrations

DEFAULTS = [
    {"provider": "test_card", "rate_bp": 300, "fixed_fee": 0, "platform_collects": True},
    {"provider": "bank_transfer", "rate_bp": 0, "fixed_fee": 0, "platform_collects": False},
]
SINCE = datetime.date(2020, 1, 1)


def add(apps, schema_editor):
    PaymentFee = apps.get_model("settlement", "PaymentFee")
    for row in DEFAULTS:
        PaymentFee.objects.get_or_create(
            provider=row["provider"], effective_from=SINCE, defaults=row
        )


def remove(apps, schema_editor):
    PaymentFee = apps.get_model("settlement", "PaymentFee")
    PaymentFee.objects.filter(effective_from=SINCE, provider__in=[r["provider"] for r in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("settlement", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]

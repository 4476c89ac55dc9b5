from datetime import timedelta

import pytest
from django.utils import timezone

from pmis.catalog.models import Product
from success import services
from success.models import CloudOrder
from tests.projects.conftest import confirmed, dispatched, project, upload  # noqa: F401  (shared fixtures)


def items(*names_and_counts):
    return [{"product": Product.objects.get(name=n), "quantity": q} for n, q in names_and_counts]


@pytest.fixture
def file_order(org):
    def make(*, actor=None, project=None, saas=False, **extra):  # noqa: F811
        today = timezone.localdate()
        data = {
            "customer_name": "某某市人民医院",
            "items": items(("云签章", 2), ("时间戳", 1)),
            "licence_starts_on": today,
            "licence_ends_on": today + timedelta(days=365),
            "payment": CloudOrder.Payment.PAID,
            **extra,
        }
        return services.cloud_order_file(actor=actor or org["sales"], project=project, saas=saas, **data)

    return make

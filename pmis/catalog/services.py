from django.db import transaction

from .data import DOCUMENT_PURPOSES, DOCUMENT_TYPES, PRODUCTS
from .models import DocumentType, Product


@transaction.atomic
def catalogue_seed() -> tuple[int, int]:
    """Create the products and document types of the process documents. Existing rows (maybe
    edited by an admin) are left as they are, only a blank 说明 gets the documents' one;
    returns how many rows were created."""
    created_products = 0
    for order, spec in enumerate(PRODUCTS):
        _, created = Product.objects.get_or_create(
            code=spec["code"], defaults={**{k: v for k, v in spec.items() if k != "code"}, "sort_order": order}
        )
        created_products += created
    created_types = 0
    for order, (code, name, phase, source) in enumerate(DOCUMENT_TYPES):
        purpose = DOCUMENT_PURPOSES.get(code, "")
        document_type, created = DocumentType.objects.get_or_create(
            code=code,
            defaults={"name": name, "phase": phase, "source": source, "sort_order": order, "description": purpose},
        )
        created_types += created
        if not created and purpose and not document_type.description:  # never overwrite an admin's text
            DocumentType.objects.filter(pk=document_type.pk).update(description=purpose)
    return created_products, created_types

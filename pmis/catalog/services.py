from django.db import transaction

from pmis.audit.services import audit_record

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


# what a maintainer may change, in the order a change is described
PRODUCT_FIELDS = ("name", "code", "kind", "project_class", "is_active", "sort_order", "description")


def _shown(product: Product, name: str) -> str:
    value = getattr(product, name)
    if name == "is_active":
        return "在售" if value else "停售"
    display = getattr(product, f"get_{name}_display", None)
    return str(display() if display else value)


@transaction.atomic
def product_save(*, product: Product | None, data: dict, actor) -> Product:
    """产品目录维护: add a product or service, or change one (停售 instead of deleting: registrations
    keep theirs). The audit row says what changed, from what to what."""
    creating = product is None
    product = Product() if creating else Product.objects.select_for_update().get(pk=product.pk)
    before = {name: _shown(product, name) for name in PRODUCT_FIELDS} if not creating else {}
    for name in PRODUCT_FIELDS:
        if name in data:
            setattr(product, name, data[name])
    product.full_clean()
    product.save()
    if creating:
        audit_record(
            subject=product, action="product.create", label="新增产品 / 服务", comment=product.name, actor=actor
        )
        return product
    labels = {name: str(Product._meta.get_field(name).verbose_name) for name in PRODUCT_FIELDS}
    changes = {
        labels[name]: [before[name], _shown(product, name)]
        for name in PRODUCT_FIELDS
        if before[name] != _shown(product, name)
    }
    if changes:
        described = "；".join(f"{label}：{old} → {new}" for label, (old, new) in changes.items() if label != "说明")
        if "说明" in changes:
            described = "；".join(filter(None, [described, "说明已修改"]))
        audit_record(
            subject=product, action="product.update", label="修改产品 / 服务", comment=described, actor=actor,
            details={"changes": changes},
        )  # fmt: skip
    return product

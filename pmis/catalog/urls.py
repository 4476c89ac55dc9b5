from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("products/", views.products, name="products"),
    path("products/maintain/", views.products_maintain, name="products_maintain"),
    path("products/new/", views.product_new, name="product_new"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("document-types/", views.document_types, name="document_types"),
]

from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("products/", views.products, name="products"),
    path("document-types/", views.document_types, name="document_types"),
]

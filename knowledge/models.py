from django.conf import settings
from django.db import models
from django.urls import reverse

from pmis.catalog.models import Product


class Article(models.Model):
    """A knowledge article (000 §3.7; 003 知识库管理规范): a solved problem written up so the next
    one is solved faster — from a resolved ticket or an incident, linked back to it."""

    number = models.CharField("编号", max_length=32, unique=True)
    title = models.CharField("标题", max_length=200)
    problem = models.TextField("问题现象")
    cause = models.TextField("原因")
    solution = models.TextField("解决方案")
    products = models.ManyToManyField(Product, blank=True, related_name="+", verbose_name="涉及产品")
    versions = models.CharField("适用版本", max_length=200, blank=True)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="项目"
    )
    ticket = models.ForeignKey(
        "aftersales.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="来源售后问题",
    )
    incident = models.ForeignKey(
        "operations.Incident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="来源突发事件",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="作者"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "知识条目"
        verbose_name_plural = "知识库"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at"], name="article_created"),
            models.Index(fields=["number"], name="article_number"),
            models.Index(fields=["title"], name="article_title"),
            models.Index(fields=["ticket"], name="article_ticket"),
            models.Index(fields=["incident"], name="article_incident"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("knowledge:article", args=[self.pk])

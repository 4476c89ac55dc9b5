"""The site has an icon: linked from every page (the login page too) and served at /favicon.ico."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

pytestmark = pytest.mark.django_db


def test_login_page_links_the_icon_and_the_icon_exists(client):
    html = client.get("/accounts/login/").content.decode()
    assert f'<link rel="icon" href="{static("favicon.svg")}"' in html
    path = finders.find("favicon.svg")
    assert path and Path(path).read_text(encoding="utf-8").lstrip().startswith("<svg")


def test_favicon_ico_is_no_longer_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("favicon.svg")

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.usefixtures("strict_token")


def test_health_with_token(header_client):
    response = header_client.get("/health/")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


def test_health_without_token_is_forbidden(client):
    assert client.get("/health/").status_code == 403


def test_csp_and_security_headers_on_pages_and_errors(header_client):
    for response in (header_client.get("/"), Client().get("/")):
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_home_shows_app_name_and_local_assets_only(header_client, settings):
    response = header_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert settings.DESKTOP_APP_NAME.replace("&", "&amp;") in html or "app-name" in html
    assert 'href="/static/app.css"' in html
    assert "http://" not in html and "https://" not in html  # no CDN, no web fonts
    assert "<script>" not in html and "style=" not in html  # nothing inline


def test_static_files_need_the_token(header_client):
    assert Client().get("/static/app.css").status_code == 403
    response = header_client.get("/static/app.css")
    assert response.status_code == 200
    assert b"font-family" in b"".join(response.streaming_content)


def test_static_files_cannot_escape_the_static_dir(header_client):
    assert header_client.get("/static/../settings.py").status_code == 404
    assert header_client.get("/static/%2e%2e/settings.py").status_code == 404

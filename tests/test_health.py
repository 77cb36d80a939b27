from __future__ import annotations

import pytest

from marketplace import health


@pytest.mark.django_db(transaction=True)
def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["channel_layer"]["ok"]


@pytest.mark.django_db(transaction=True)
def test_healthz_names_a_failed_channel_layer(client, monkeypatch):
    async def broken() -> None:
        raise ConnectionError("layer unreachable")

    monkeypatch.setattr(health, "_check_channel_layer", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["channel_layer"]
    assert "layer unreachable" in response.json()["checks"]["channel_layer"]["error"]


@pytest.mark.django_db(transaction=True)
def test_healthz_names_a_failed_database(client, monkeypatch):
    def broken() -> None:
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(health, "_check_database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]

"""What an open socket lets go of after its handshake (docs/performance.md, "Idle memory")."""

from __future__ import annotations

from types import SimpleNamespace

from chat.fanout import _release_handshake


def test_release_handshake_drops_the_upgrade_request_only():
    headers = {"host": "127.0.0.1", "cookie": "sessionid=x"}
    request = SimpleNamespace(path="/ws/inbox/", headers=headers)
    protocol = SimpleNamespace(
        clean_headers=[(b"cookie", b"sessionid=x")],
        http_headers=headers,
        http_request_data=b"GET /ws/inbox/ HTTP/1.1\r\n...",
        http_response_data="HTTP/1.1 101 Switching Protocols\r\n...",
        request=request,
        state=3,
    )
    channel = SimpleNamespace(requests=[object()])
    transport = SimpleNamespace(producer=channel)
    _release_handshake(protocol, transport)
    assert protocol.clean_headers == ()
    assert protocol.http_headers == {} and request.headers == {}
    assert protocol.http_request_data is None and protocol.http_response_data is None
    assert channel.requests == []
    assert request.path == "/ws/inbox/" and protocol.state == 3  # still used: kept
    assert transport.producer is channel  # back-pressure registration unchanged


def test_release_handshake_tolerates_other_servers():
    _release_handshake(SimpleNamespace(), SimpleNamespace())
    _release_handshake(SimpleNamespace(http_headers=None), None)

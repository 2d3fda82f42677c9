"""One HTTP exchange with a TCS over twisted.web's Agent: form fields in, (status, text) out."""

from __future__ import annotations

import logging
from base64 import b64encode
from collections.abc import Mapping
from io import BytesIO
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

from twisted.internet import defer, protocol
from twisted.internet.abstract import isIPAddress, isIPv6Address
from twisted.internet.endpoints import HostnameEndpoint, TCP4ClientEndpoint, TCP6ClientEndpoint
from twisted.web.client import (
    Agent,
    FileBodyProducer,
    RequestTransmissionFailed,
    ResponseDone,
    ResponseFailed,
)
from twisted.web.http import PotentialDataLoss
from twisted.web.http_headers import Headers

from .base import TcsProtocolError, TcsUnreachable

__all__ = ["FORM", "expect_ok", "http_request", "join_url"]

log = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"


def _credentials(url: str) -> tuple[str, bytes | None]:
    """``url`` without a ``user:password@`` in it, and that as an HTTP Basic ``Authorization`` value.

    Observers paste URLs that work in a browser; the Agent itself would take the user info for a host.
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    token = b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode("ascii")
    return urlunsplit(parts._replace(netloc=host)), f"Basic {token}".encode("ascii")


def join_url(url: str, path: str) -> str:
    """``url`` if it already names a path, else ``url`` + ``path`` (the configured default)."""
    rest = url.split("://", 1)[-1]
    return url if "/" in rest.rstrip("/") else url.rstrip("/") + "/" + path.lstrip("/")


MAX_BODY = 1 << 20  # a TCS reply is a few lines; more is garbage, not worth the memory


class _Collect(protocol.Protocol):
    """The response body, whole (twisted's readBody warns on Agent's proxied transport in Twisted 26)."""

    def __init__(self, done: defer.Deferred):
        self.done, self.parts, self.size = done, [], 0

    def dataReceived(self, data: bytes) -> None:
        self.size += len(data)
        if self.size <= MAX_BODY:
            self.parts.append(data)

    def connectionLost(self, reason) -> None:
        if self.done.called:  # cancelled: the timeout already answered
            return
        if reason.check(ResponseDone, PotentialDataLoss):
            self.done.callback(b"".join(self.parts))
        else:
            self.done.errback(reason)


def read_body(response) -> defer.Deferred:
    """Fire with the body of ``response``; cancelling closes the connection."""
    collector = _Collect(defer.Deferred(lambda _: collector.transport.stopProducing()))
    response.deliverBody(collector)
    return collector.done


class _Endpoints:
    """Plain TCP endpoints for IP literals: HostnameEndpoint would resolve them on the reactor's thread
    pool, whose threads outlive a reactor that never stops (the test process) and block its exit."""

    def __init__(self, reactor, timeout: float):
        self.reactor, self.timeout = reactor, timeout

    def endpointForURI(self, uri):
        host = uri.host.decode("ascii")
        if uri.scheme == b"https":
            from twisted.internet.endpoints import wrapClientTLS
            from twisted.internet.ssl import optionsForClientTLS

            plain = HostnameEndpoint(self.reactor, uri.host, uri.port, timeout=self.timeout)
            return wrapClientTLS(optionsForClientTLS(host), plain)
        if isIPAddress(host):
            return TCP4ClientEndpoint(self.reactor, host, uri.port, timeout=self.timeout)
        if isIPv6Address(host):
            return TCP6ClientEndpoint(self.reactor, host, uri.port, timeout=self.timeout)
        return HostnameEndpoint(self.reactor, uri.host, uri.port, timeout=self.timeout)


@defer.inlineCallbacks
def http_request(reactor, method: str, url: str, fields: Mapping[str, object] | None = None,
                 body: bytes | None = None, content_type: str = FORM, timeout: float = 30.0):
    """``method`` ``url`` with ``fields`` (query string for GET, form body otherwise) or a raw ``body``.

    Fires with ``(status, text)``; errbacks `TcsUnreachable` when the connection fails or the server
    answers 5xx. Never logs the fields (they may hold a password).
    """
    url, authorization = _credentials(url)
    query = urlencode({k: str(v) for k, v in (fields or {}).items()})
    target = url
    if method.upper() == "GET":
        target = f"{url}?{query}" if query else url
    elif body is None:
        body = query.encode("ascii")
    producer = FileBodyProducer(BytesIO(body)) if body is not None else None
    headers = Headers({b"Content-Type": [content_type.encode()], b"User-Agent": [b"gcnmon"]})
    if authorization is not None:
        headers.addRawHeader(b"Authorization", authorization)
    log.debug("%s %s", method.upper(), url)
    try:
        agent = Agent.usingEndpointFactory(reactor, _Endpoints(reactor, timeout))
        response = yield agent.request(method.upper().encode(), target.encode(), headers, producer)
        data = yield read_body(response)
    except (ResponseFailed, RequestTransmissionFailed) as exc:
        # A cancelled request (our timeout) surfaces wrapped: unwrap it so the timeout reads as one.
        if any(r.check(defer.CancelledError) for r in exc.reasons):
            raise defer.CancelledError() from None
        raise TcsUnreachable(f"connection failed: {exc.reasons[0].getErrorMessage()}") from None
    text = data.decode("utf-8", "replace")
    if response.code >= 500:
        raise TcsUnreachable(f"HTTP {response.code}: {text.strip()[:100]}")
    return response.code, text


def expect_ok(status: int, text: str) -> str:
    """``text`` if ``status`` is 200, else a protocol error carrying the reply."""
    if status != 200:
        raise TcsProtocolError(f"HTTP {status}", text)
    return text

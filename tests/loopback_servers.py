"""Real servers on 127.0.0.1 port 0 for the notification tests: SMTP (aiosmtpd) and HTTP (webhooks)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.smtp import SMTP

__all__ = ["SmtpServer", "WebhookServer"]


class SmtpServer:
    """aiosmtpd's SMTP server on its own asyncio loop in a thread; ``messages`` are parsed e-mails.

    (aiosmtpd's ``Controller`` cannot take port 0: it probes the port it was given before serving.)
    """

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.loop = asyncio.new_event_loop()
        self.sessions: list[SMTP] = []
        server = self.loop.run_until_complete(self.loop.create_server(self._session, "127.0.0.1", 0))
        self.server = server
        self.port = server.sockets[0].getsockname()[1]
        self.thread = threading.Thread(target=self.loop.run_forever, name="test-smtp", daemon=True)
        self.thread.start()

    def _session(self) -> SMTP:
        session = SMTP(self, hostname="smtp.test")
        self.sessions.append(session)
        return session

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def url(self, to: str = "observer@example.org") -> str:
        """The apprise URL that mails ``to`` through this server (plain SMTP, no login)."""
        return f"mailto://127.0.0.1:{self.port}?from=gcnmon@example.org&to={to}&mode=insecure"

    def wait(self, count: int = 1, timeout: float = 10.0, pump=None) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"{len(self.messages)} of {count} e-mails arrived"
            pump() if pump else time.sleep(0.01)
        return self.messages

    def close(self) -> None:
        def shut() -> None:
            # A client's connection still open when the loop stops leaves its socket to the garbage
            # collector, whose ResourceWarning then fails whichever test happens to be running.
            self.server.close()
            for session in self.sessions:
                if session.transport is not None:
                    session.transport.close()
            self.loop.call_soon(self.loop.stop)  # after the transports' connection_lost callbacks

        self.loop.call_soon_threadsafe(shut)
        self.thread.join(5)
        # The sessions' handler tasks are cancelled by connection_lost: let them finish on this (now
        # idle) loop, or the interpreter says "Task was destroyed but it is pending" at exit.
        pending = asyncio.all_tasks(self.loop)
        if pending:
            self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self.loop.close()


class WebhookServer:
    """An HTTP server that records every POST (path, JSON body); answers 500 to the first ``fail`` ones."""

    def __init__(self, fail: int = 0):
        self.posts: list[tuple[str, dict]] = []
        self.attempts = 0
        self.fail = fail
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.attempts += 1
                if outer.attempts <= outer.fail:
                    self.send_response(500)
                    self.end_headers()
                    return
                outer.posts.append((self.path, json.loads(body)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="test-http", daemon=True)
        self.thread.start()

    def url(self, path: str = "hook/TOKEN123456") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

"""A small OpenAI-compatible model server for the tests: real HTTP on 127.0.0.1 (a thread), serving
`POST /v1/chat/completions` with scripted replies, whole or streamed as server-sent events, and
recording every request it gets. A reply is a `Reply` or a function of the request body that
returns one; replies are used in order, then the last one again."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Reply:
    content: str = ""
    status: int = 200
    delay: float = 0.0  # seconds before anything is sent
    raw: str | None = None  # a body sent as is (a malformed reply)
    events: list[str] | None = None  # SSE data lines sent as is (a malformed stream)
    piece: int = 3  # characters per streamed delta
    stream_delay: float = 0.0  # seconds between streamed deltas


@dataclass
class Seen:
    body: dict
    headers: dict

    @property
    def passages(self) -> str:
        return self.body["messages"][-1]["content"]

    @property
    def system(self) -> str:
        return self.body["messages"][0]["content"]


@dataclass
class FakeModel:
    replies: list = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    base_url: str = ""

    def script(self, *replies: Reply | Callable[[dict], Reply]) -> "FakeModel":
        self.replies = list(replies)
        self.seen.clear()
        return self

    def next_reply(self, body: dict) -> Reply:
        reply = self.replies.pop(0) if len(self.replies) > 1 else (self.replies[0] if self.replies else Reply("[1]"))
        return reply(body) if callable(reply) else reply


def _completion(content: str, model: str) -> dict:
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}


def _chunk(delta: dict, model: str, finish=None) -> str:
    data = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return "data: " + json.dumps(data, ensure_ascii=False) + "\n\n"


def serve(fake: FakeModel):
    """Start the server for `fake`; returns (server, thread). `fake.base_url` is set."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path != "/v1/chat/completions":
                self._send(404, b'{"error": {"message": "no such route"}}')
                return
            fake.seen.append(Seen(body, dict(self.headers)))
            reply = fake.next_reply(body)
            if reply.delay:
                time.sleep(reply.delay)
            model = body.get("model", "fake")
            try:
                if reply.raw is not None:
                    self._send(reply.status, reply.raw.encode())
                elif reply.status != 200:
                    message = reply.content or "internal error"
                    self._send(reply.status, json.dumps({"error": {"message": message}}).encode())
                elif body.get("stream") or reply.events is not None:
                    self._stream(reply, model)
                else:
                    self._send(200, json.dumps(_completion(reply.content, model), ensure_ascii=False).encode())
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a time-out)
                pass

        def _stream(self, reply: Reply, model: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            if reply.events is not None:
                parts = [f"data: {line}\n\n" for line in reply.events]
            else:
                text = reply.content
                parts = [_chunk({"role": "assistant", "content": ""}, model)]
                parts += [_chunk({"content": text[i:i + reply.piece]}, model) for i in range(0, len(text), reply.piece)]
                parts += [_chunk({}, model, "stop"), "data: [DONE]\n\n"]
            for part in parts:
                self.wfile.write(part.encode())
                self.wfile.flush()
                if reply.stream_delay:
                    time.sleep(reply.stream_delay)
            self.close_connection = True

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    return server, thread

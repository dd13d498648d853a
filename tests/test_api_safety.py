"""Writes only from the app's own pages or with the key (issue 27, item 1), and the security headers
(item 8): another site's page cannot upload, delete, rebuild or reload (Origin, Sec-Fetch-Site);
a Host the server does not answer to is refused (DNS rebinding); `serve` on the network with
uploads on and no key does not start; every response carries CSP, frame and nosniff headers."""

import base64
import hashlib
import re
import time

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant.server.app import create_app
from assistant.config import load_settings
from assistant.building import build_index
from fakes import FakeEmbedder
from tinycorpus import write_tiny

KEY = "s3cret-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
EVIL = {"Origin": "http://evil.example"}
OWN = {"Origin": "http://testserver"}  # the TestClient's own origin (its Host is testserver)
HEADERS = ("content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy")


@pytest.fixture
def env(tmp_path):
    """Settings over a freshly built tiny index, uploads on and no key (the local default)."""
    corpus = write_tiny(tmp_path / "corpus")
    embedder = FakeEmbedder()
    with pytest.MonkeyPatch.context() as mp:
        for name in ("ASSISTANT_EMBEDDING_MODEL", "ASSISTANT_ALLOW_UPLOAD", "ASSISTANT_API_KEY",
                     "ASSISTANT_ALLOWED_HOSTS"):
            mp.delenv(name, raising=False)
        settings = load_settings(corpus_dir=corpus, home=tmp_path / "home").with_(chunk_chars=120, allow_upload=True)
        build_index(settings, warn=lambda m: None, embedder=embedder)
        mp.setattr("assistant.service.load_embedder", lambda name, warn: embedder)
        yield settings


def wait_for_build(client, timeout=60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get("/documents/build").json()
        if status["state"] != "building":
            return status
        time.sleep(0.1)
    raise AssertionError("the rebuild did not finish")


def corpus_files(settings) -> set[str]:
    return {p.name for p in settings.corpus_dir.iterdir()}


def upload(client, name="note.txt", headers=None):
    text = f"学校新建了图书室({name})。"  # each name its own content (the same file twice is refused)
    return client.post("/documents", files={"files": (name, text.encode())}, headers=headers or {})


def test_another_sites_page_cannot_write(env):
    before = corpus_files(env)
    with TestClient(create_app(env)) as client:
        refused = upload(client, headers=EVIL)
        assert refused.status_code == 403
        detail = refused.json()["detail"]
        assert detail.startswith("writes are accepted only from this server's own pages (Origin http://evil.example)")
        assert "ASSISTANT_API_KEY" in detail and "\n" not in detail and set(refused.json()) == {"detail"}
        # fetch(..., {mode: "no-cors"}) from another site: Sec-Fetch-Site says so even without Origin
        for site in ("cross-site", "same-site"):
            assert upload(client, headers={"Sec-Fetch-Site": site}).status_code == 403
        # a sandboxed frame or a file:// page sends Origin: null
        assert upload(client, headers={"Origin": "null"}).status_code == 403
        # the same name on another port or scheme is another site
        assert upload(client, headers={"Origin": "http://testserver:8080"}).status_code == 403
        assert upload(client, headers={"Origin": "https://testserver.evil.example"}).status_code == 403
        deleted = client.delete("/documents/plan-txt-01", headers=EVIL)
        assert deleted.status_code == 403 and "Origin http://evil.example" in deleted.json()["detail"]
        built = client.post("/documents/build", headers=EVIL)
        assert built.status_code == 403
        reloaded = client.post("/reload", headers={**EVIL, "Sec-Fetch-Site": "cross-site"})
        assert reloaded.status_code == 403 and "Sec-Fetch-Site cross-site" in reloaded.json()["detail"]
        assert client.get("/documents/build").json()["state"] == "idle"  # nothing rebuilt
        assert all(r.status_code == 403 for r in (refused, deleted, built, reloaded))
        # reading stays open to any page (the browser keeps another site from reading the reply)
        asked = client.post("/ask", json={"question": "生均图书"}, headers=EVIL)
        assert asked.status_code == 200
        assert client.get("/search", params={"q": "生均图书"}, headers=EVIL).status_code == 200
        assert client.post("/draft", json={"kind": "self-review", "school": "青山镇中心小学"},
                           headers={**EVIL, "Sec-Fetch-Site": "cross-site"}).status_code != 403
    assert corpus_files(env) == before


def test_own_pages_and_scripts_still_write(env):
    with TestClient(create_app(env)) as client:
        # the page's own fetch: Origin is the server's, Sec-Fetch-Site same-origin
        own = upload(client, "own.txt", headers={**OWN, "Sec-Fetch-Site": "same-origin"})
        assert own.status_code == 200, own.text
        wait_for_build(client)
        # curl and scripts send neither Origin nor Sec-Fetch-Site: as before
        script = upload(client, "script.txt")
        assert script.status_code == 200, script.text
        assert wait_for_build(client)["state"] == "done"
        # the host name's case and a default port do not make it another site
        assert client.post("/documents/build", headers={"Origin": "HTTP://TestServer:80"}).status_code == 200
        wait_for_build(client)
        assert client.post("/reload", headers=OWN).status_code == 200
        assert client.delete("/documents/plan-txt-01", headers=OWN).status_code == 200
        wait_for_build(client)
        # and another site still cannot
        assert upload(client, "evil.txt", headers=EVIL).status_code == 403
    assert {"own.txt", "script.txt"} <= corpus_files(env) and "plan.txt" not in corpus_files(env)
    assert "evil.txt" not in corpus_files(env)


def test_with_the_key_another_origin_may_write(env):
    settings = env.with_(api_key=KEY)
    with TestClient(create_app(settings)) as client:
        accepted = upload(client, "keyed.txt", headers={**EVIL, **AUTH, "Sec-Fetch-Site": "cross-site"})
        assert accepted.status_code == 200, accepted.text
        wait_for_build(client)
        assert client.post("/reload", headers={**EVIL, **AUTH}).status_code == 200
        wrong = upload(client, "wrong.txt", headers={**EVIL, "Authorization": "Bearer nope"})
        assert wrong.status_code == 403 and "send the API key" in wrong.json()["detail"]
        assert client.delete("/documents/plan-txt-01", headers=EVIL).status_code == 403
    assert "keyed.txt" in corpus_files(settings) and "wrong.txt" not in corpus_files(settings)
    assert "plan.txt" in corpus_files(settings)


def test_a_forged_host_is_refused(env):
    """DNS rebinding: another site's name resolved to this machine; its page is then "same-origin"."""
    rebound = {"Host": "evil.example:8000", "Origin": "http://evil.example:8000"}
    with TestClient(create_app(env)) as client:
        page = client.get("/health", headers={"Host": "evil.example"})
        assert page.status_code == 400
        detail = page.json()["detail"]
        assert "'evil.example'" in detail and "ASSISTANT_ALLOWED_HOSTS" in detail and "\n" not in detail
        assert client.get("/documents", headers=rebound).status_code == 400
        deleted = client.delete("/documents/plan-txt-01", headers=rebound)
        assert deleted.status_code == 400 and "evil.example" in deleted.json()["detail"]
        assert upload(client, "rebound.txt", headers=rebound).status_code == 400
        for local in ("localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST."):
            assert client.get("/health", headers={"Host": local}).status_code == 200, local
        for bad in ("10.0.0.5", "127.0.0.1.evil.example", "localhost.evil.example", "a b", "[::1"):
            assert client.get("/health", headers={"Host": bad}).status_code == 400, bad
        # served on localhost, its own pages write
        assert client.post("/reload", headers={"Host": "localhost:8000", "Origin": "http://localhost:8000"}).status_code == 200
        assert client.post("/reload", headers={"Host": "localhost:8000", "Origin": "http://localhost:9000"}).status_code == 403
    assert "plan.txt" in corpus_files(env) and "rebound.txt" not in corpus_files(env)


def test_configured_and_bound_hosts(env, monkeypatch):
    monkeypatch.setenv("ASSISTANT_ALLOWED_HOSTS", " Office-PC, assistant.example.org:8000 ")
    configured = load_settings(corpus_dir=env.corpus_dir, home=env.home)
    assert configured.allowed_hosts == ("office-pc", "assistant.example.org")
    with TestClient(create_app(configured)) as client:
        for host in ("office-pc:8000", "assistant.example.org", "ASSISTANT.example.org:443"):
            assert client.get("/health", headers={"Host": host}).status_code == 200, host
        assert client.get("/health", headers={"Host": "evil.example"}).status_code == 400
        # the office name's own pages write; another page under it does not
        assert client.post("/reload", headers={"Host": "office-pc:8000", "Origin": "http://office-pc:8000"}).status_code == 200
        assert client.post("/reload", headers={"Host": "office-pc:8000", "Origin": "http://evil.example"}).status_code == 403
    with TestClient(create_app(env.with_(allowed_hosts=("*",)))) as client:
        assert client.get("/health", headers={"Host": "anything.example"}).status_code == 200
    monkeypatch.setenv("ASSISTANT_ALLOWED_HOSTS", "http://office-pc/")
    with pytest.raises(Exception, match="ASSISTANT_ALLOWED_HOSTS: 'http://office-pc/' is not a host name"):
        load_settings(corpus_dir=env.corpus_dir, home=env.home)
    # served on an address, that address; on every interface, any address (a rebinding page comes
    # under a name), and still no foreign name
    with TestClient(create_app(env, host="192.168.1.20")) as client:
        assert client.get("/health", headers={"Host": "192.168.1.20:8000"}).status_code == 200
        assert client.get("/health", headers={"Host": "192.168.1.21:8000"}).status_code == 400
    with TestClient(create_app(env, host="0.0.0.0")) as client:
        assert client.get("/health", headers={"Host": "10.0.0.5:8000"}).status_code == 200
        assert client.get("/health", headers={"Host": "[fe80::1]:8000"}).status_code == 200
        assert client.get("/health", headers={"Host": "evil.example:8000"}).status_code == 400


def test_security_headers_on_pages_json_and_errors(env):
    with TestClient(create_app(env)) as client:
        responses = {path: client.get(path) for path in ("/", "/library", "/drafting", "/health", "/documents",
                                                         "/documents/summary-txt-01", "/static/app.js", "/nowhere")}
        responses["refused"] = client.delete("/documents/plan-txt-01", headers=EVIL)
        responses["bad host"] = client.get("/", headers={"Host": "evil.example"})
        for what, response in responses.items():
            assert all(name in response.headers for name in HEADERS), (what, dict(response.headers))
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "same-origin"
        from assistant.server.app import page_policy

        policy = responses["/library"].headers["content-security-policy"]
        assert policy == page_policy()
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
        assert directives["script-src"] == "'self'"  # the pages have no inline script
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        # the one inline style of the pages (drafting.html) is allowed by its hash, nothing more
        styles = re.findall(r'\sstyle="([^"]*)"', client.get("/drafting").text)
        for style in styles:
            digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in directives["style-src"]
        assert responses["/health"].headers["content-type"].startswith("application/json")
        docs = client.get("/docs")
        assert docs.headers["x-frame-options"] == "DENY"
        inline = re.findall(r"<script>(.*?)</script>", docs.text, re.S)
        for script in inline:  # Swagger UI's start-up script, by its hash
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in docs.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]


def test_serve_on_the_network_with_uploads_and_no_key_does_not_start(tmp_path, monkeypatch):
    import assistant.server.app
    import assistant.cli

    started = []
    monkeypatch.setattr(assistant.server.app, "run", lambda *args, **kwargs: started.append(args))  # never serve
    monkeypatch.setattr(assistant.server.app, "check_listen", lambda *args, **kwargs: None)  # never bind

    class Opened:
        index = type("Index", (), {"manifest": {"documents": 2}})()

    monkeypatch.setattr(assistant.cli, "_open", lambda *args, **kwargs: Opened())
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ASSISTANT_ALLOW_UPLOAD", "1")
    monkeypatch.delenv("ASSISTANT_API_KEY", raising=False)
    runner = CliRunner()
    for host in ("0.0.0.0", "192.168.1.20", "::"):
        result = runner.invoke(assistant.cli.app, ["serve", "--host", host, "--port", "8765"])
        assert result.exit_code == 1, (host, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "set ASSISTANT_API_KEY" in lines[0] and "127.0.0.1" in lines[0], result.stderr
        assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert started == []
    # on loopback, or with a key, or with uploads off, it starts as before
    assert runner.invoke(assistant.cli.app, ["serve", "--host", "127.0.0.1", "--port", "8765"]).exit_code == 0
    assert runner.invoke(assistant.cli.app, ["serve", "--host", "localhost", "--port", "8765"]).exit_code == 0
    monkeypatch.setenv("ASSISTANT_API_KEY", KEY)
    assert runner.invoke(assistant.cli.app, ["serve", "--host", "0.0.0.0", "--port", "8765"]).exit_code == 0
    monkeypatch.delenv("ASSISTANT_API_KEY")
    monkeypatch.setenv("ASSISTANT_ALLOW_UPLOAD", "0")
    assert runner.invoke(assistant.cli.app, ["serve", "--host", "0.0.0.0", "--port", "8765"]).exit_code == 0
    assert len(started) == 4

"""The OpenAPI document matches what the server does (issue 16, case 10): schemathesis generates
requests from the schema (valid ones must be accepted, invalid ones refused, every response must
match its documented status and shape), and the eight mismatches found before are pinned by name."""

import pytest
from fastapi.testclient import TestClient

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings as hypothesis_settings  # noqa: E402

from assistant.server.app import create_app  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.building import build_index  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from fakes import FakeEmbedder  # noqa: E402
from tinycorpus import write_tiny  # noqa: E402


def _app(root):
    corpus = write_tiny(root / "corpus")
    embedder = FakeEmbedder()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASSISTANT_HOME", str(root / "home"))
        mp.setenv("ASSISTANT_CORPUS", str(corpus))
        mp.setattr("assistant.service.load_embedder", lambda name, warn: embedder)
        mp.setattr("assistant.building.dictionary_of", lambda lexical, warn: None)
        settings = load_settings().with_(chunk_chars=120, reload_seconds=0)
        build_index(settings, warn=lambda m: None, embedder=embedder)
        return create_app(settings, Assistant.open(settings, warn=lambda m: None))


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return _app(tmp_path_factory.mktemp("schema"))


def test_the_server_does_what_its_schema_says(app):
    """Every operation, valid and invalid requests (schemathesis' checks, as `st run --checks all`
    runs them); scripts/faults.py runs the same against a real server with many more examples."""
    from hypothesis import given
    from hypothesis.errors import Unsatisfiable
    from schemathesis.generation.modes import GenerationMode

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    # every route (a new one must be added here); writing is off, as on a server started without
    # ASSISTANT_ALLOW_UPLOAD, so POST /documents, DELETE /documents/{doc_id}, POST /documents/build and
    # POST/DELETE /collections answer their documented 403 and nothing is rebuilt
    covered = {"POST /ask", "GET /search", "POST /draft", "GET /draft/options", "GET /documents", "POST /documents",
               "GET /documents/build", "POST /documents/build", "DELETE /documents/{doc_id}", "GET /documents/{doc_id}",
               "GET /health", "POST /reload", "GET /v1/models", "POST /v1/chat/completions", "GET /collections",
               "POST /collections", "DELETE /collections/{name}"}
    assert {operation.label for operation in operations} == covered
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis_settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            def check(case):
                if isinstance(case.body, dict) and case.body.get("facts_text"):
                    return  # YAML/JSON text parsed by the server: a schema cannot say which texts parse
                case.call_and_validate()

            try:
                check()
            except Unsatisfiable:  # no invalid request exists for an operation without parameters
                assert mode == GenerationMode.NEGATIVE


def test_the_mismatches_found_on_the_newer_routes(app):
    """What schemathesis found on the /v1 and documents routes (scripts/faults.py case 10)."""
    client = TestClient(app)
    document = client.get("/openapi.json").json()
    paths = document["paths"]
    chat = paths["/v1/chat/completions"]["post"]
    # a body the handler refuses with 400 was schema-valid ({} had no required `messages`)
    body = chat["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["messages"] and body["properties"]["messages"]["minItems"] == 1
    assert body["properties"]["messages"]["contains"]["properties"]["role"] == {"const": "user"}
    refused = client.post("/v1/chat/completions", json={})
    assert refused.status_code == 400 and refused.json()["detail"] == "messages: is required"
    for code in ("400", "401", "413", "415", "422", "503"):  # 422 was FastAPI's list-shaped detail
        assert chat["responses"][code]["content"]["application/json"]["schema"] == \
            {"$ref": "#/components/schemas/OpenAIErrorBody"}
    # top_k is a whole number as everywhere: 3.0 is one
    assert client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "学校"}],
                                                     "top_k": 3.0}).status_code == 200
    assert client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "学校"}],
                                                     "top_k": 2.5}).status_code == 400
    assert "401" in paths["/v1/models"]["get"]["responses"]
    for path, method, codes in (("/documents", "post", ("400", "401", "403", "413", "415", "422")),
                                ("/documents/{doc_id}", "delete", ("401", "403", "404", "409")),
                                ("/documents/build", "post", ("401", "403"))):
        for code in codes:
            assert paths[path][method]["responses"][code]["content"]["application/json"]["schema"] == \
                {"$ref": "#/components/schemas/ErrorBody"}
    upload = paths["/documents"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload["properties"]["files"]["minItems"] == 1  # an empty multipart body was schema-valid
    # a 405 names every method of the path, not only those of the first route matched
    assert client.options("/documents/build").headers["allow"] == "GET, POST"
    assert client.options("/documents/plan-txt-01").headers["allow"] == "DELETE, GET"
    assert client.options("/documents").headers["allow"] == "GET, POST"


def test_the_mismatches_found_before(app):
    client = TestClient(app)
    document = client.get("/openapi.json").json()
    error = document["components"]["schemas"]["ErrorBody"]
    assert error["properties"]["detail"]["type"] == "string"  # was a list (FastAPI's default)
    for path, method in (("/ask", "post"), ("/search", "get"), ("/draft", "post"), ("/documents/{doc_id}", "get")):
        assert document["paths"][path][method]["responses"]["422"]["content"]["application/json"]["schema"] == \
            {"$ref": "#/components/schemas/ErrorBody"}
    assert "404" in document["paths"]["/documents/{doc_id}"]["get"]["responses"]
    body = document["components"]["schemas"]["AskRequest"]["properties"]["question"]
    assert body["minLength"] == 1 and "pattern" in body
    search = {p["name"]: p["schema"] for p in document["paths"]["/search"]["get"]["parameters"]}
    assert search["q"]["minLength"] == 1
    assert "enum" in document["components"]["schemas"]["DraftRequest"]["properties"]["kind"]
    # one rule for whole numbers (JSON Schema's integer): 3.0 is one in both places, 2.5 in neither
    assert client.get("/search", params={"q": "学校", "top_k": "3.0"}).status_code == 200
    assert client.post("/ask", json={"question": "学校", "top_k": 3.0}).status_code == 200
    assert client.get("/search", params={"q": "学校", "top_k": "2.5"}).status_code == 422
    assert client.post("/ask", json={"question": "学校", "top_k": 2.5}).status_code == 422
    repeated = client.get("/search?q=学校&q=教师")
    assert repeated.status_code == 422 and repeated.json()["detail"] == "q: is given more than once; send each parameter once"
    assert client.get("/search?q=学校&top_k=2&top_k=3").status_code == 422


def test_draft_takes_exactly_the_kinds_and_areas_its_schema_lists(app):
    """schemathesis (CI, a random seed): {"focus": ""} was answered 200 though the schema's enum has no
    empty area; the HTTP API now takes what its schema says, and says what to send instead."""
    client = TestClient(app)
    base = {"kind": "summary", "school": "青山镇中心小学"}
    for focus in ("", "A1,A2", ["师资队伍", " "]):
        refused = client.post("/draft", json={**base, "focus": focus})
        assert refused.status_code == 422 and "GET /draft/options" in refused.json()["detail"], focus
    assert client.post("/draft", json={**base, "kind": "Summary"}).status_code == 422
    assert client.post("/draft", json={**base, "focus": ["师资队伍", "A1"]}).status_code == 200
    assert "unknown focus area '烹饪'" in client.post("/draft", json={**base, "focus": "烹饪"}).json()["detail"]

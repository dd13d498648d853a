"""The shapes of the HTTP API: request bodies, responses and errors, as pydantic models, so the
OpenAPI document says exactly what the server accepts and returns (checked with schemathesis,
tests/test_api_schema.py).

Rules the schema states and the server keeps to the letter:
- text fields that must say something have `minLength: 1` and a pattern that asks for one
  character that is not white space (white space as Python's str.strip() sees it, so the
  server's own checks and the schema agree; patterns are matched with Python's `re`);
- a whole number is one rule everywhere, JSON Schema's `integer`: 3 and 3.0 are whole numbers in a
  body and in a query string (`top_k=3.0`), 2.5, `"3"` (text in a body) and `true` are not;
- every error is `{"detail": "<one sentence>", "errors"?: [{"field", "message"}]}`.
Response models allow fields they do not name, so a new field of an answer is not dropped."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr
from pydantic_core import PydanticCustomError

from ..documents import KINDS
from ..retrieval.search import MAX_QUESTION_CHARS
from ..service import MAX_TOP_K

EXAMPLE_QUESTION = "A2保障机制组要准备哪些材料?"
#: The characters str.strip() removes (every c with c.isspace()), as a regex class body.
_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: Holds a character that is not white space: what "a non-empty string" means here.
NON_BLANK = f"[^{_SPACE}]"
#: One line (no line break before its end) that says something, without 【】 (placeholders).
ONE_LINE = f"^[^\\n【】]*[^{_SPACE}【】][^\\n【】]*$"
#: Placeholder names: something besides white space and 【】.
FACT_NAME = f"[^{_SPACE}【】]"
#: Earlier turns read from `history` (the newest), and the characters of their text read at most.
HISTORY_TURNS = 20
HISTORY_CHARS = 8000
MAX_HISTORY_ITEMS = 50
MAX_SCHOOL_CHARS = 60


def whole_number(value):
    """A whole number as JSON Schema's `integer` means it: 3 or 3.0 (in a query string "3" or
    "3.0"); not 2.5, not text in a JSON body, not true."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, str):
        if not re.fullmatch(r"[+-]?[0-9]{1,18}(\.0*)?", value):
            raise PydanticCustomError("int_parsing", "Input should be a valid integer")
        return int(value.split(".")[0])
    return value


def json_whole_number(value):
    """whole_number for JSON bodies, where text is never a number."""
    if isinstance(value, str):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return whole_number(value)


# Bounds before the validator: in this order pydantic keeps them in the schema and FastAPI keeps both.
TopK = Annotated[int, Field(ge=1, le=MAX_TOP_K), BeforeValidator(whole_number)]
LineNumber = Annotated[int, Field(ge=1, le=10**9), BeforeValidator(whole_number)]  # this order keeps the bounds in the schema


class FieldError(BaseModel):
    field: str = Field(description="The field, e.g. `top_k` or `history[2].question` (empty for the whole body).")
    message: str


class ErrorBody(BaseModel):
    """What every 4xx and 5xx carries."""

    detail: str = Field(description="One sentence saying what is wrong and what to do.")
    errors: Optional[list[FieldError]] = Field(None, description="One entry per field (validation errors).")


class OpenAIErrorDetail(BaseModel):
    message: str
    type: str
    param: Optional[str] = None
    code: Optional[str] = None


class OpenAIErrorBody(ErrorBody):
    """The error shape of the /v1 routes: the API's `{"detail"}` with OpenAI's `error` object beside it
    (validation problems of a JSON body and the 401 of a missing key; other errors are the plain shape)."""

    error: Optional[OpenAIErrorDetail] = Field(None, description="OpenAI's error object (same message as `detail`).")


ERROR_TEXTS = {400: "The body is not valid JSON.", 401: "The API key is missing or wrong.",
               403: "Writing (adding and deleting documents) is off on this server.", 404: "Not found.",
               409: "The document's file is no longer where the index says.", 413: "The body is too large.",
               415: "The body is not JSON.", 422: "A parameter or field is not valid.",
               503: "The request took longer than the time budget, or there is no index."}


def error_responses(*codes: int, model: type[BaseModel] = ErrorBody, texts: dict[int, str] | None = None) -> dict:
    """OpenAPI `responses` for these error statuses, each with the one error shape."""
    texts = {**ERROR_TEXTS, **(texts or {})}
    return {code: {"model": model, "description": texts[code]} for code in codes}


class HistoryTurn(BaseModel):
    """An earlier turn: its question, and (as `ask` returns them in `turn`) what it was read as
    and which section answered it, so the turn needs no answering again."""

    model_config = ConfigDict(extra="allow", regex_engine="python-re")

    question: StrictStr = Field(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=NON_BLANK)
    resolved_question: Optional[StrictStr] = Field(None, max_length=MAX_QUESTION_CHARS)
    topic: Optional[StrictStr] = Field(None, max_length=500, description="Heading of the section that answered it.")
    title: Optional[StrictStr] = Field(None, max_length=500, description="Title of that section's document.")


HistoryQuestion = Annotated[StrictStr, Field(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=NON_BLANK)]


class FilterRequest(BaseModel):
    """Which documents to answer from (every field optional; all that are given must hold)."""
    model_config = ConfigDict(extra="forbid")

    kind: Optional[list[Literal[KINDS]]] = Field(None, max_length=len(KINDS), description=(
        "Document kinds, e.g. [\"rectification\", \"self-inspection\"] (GET /documents shows each document's)."))
    since: Optional[StrictStr] = Field(None, pattern=r"^(19|20)\d{2}(-\d{2}(-\d{2})?)?$",
                                       description="Documents dated this or later: 2023, 2023-09 or 2023-09-01.")
    until: Optional[StrictStr] = Field(None, pattern=r"^(19|20)\d{2}(-\d{2}(-\d{2})?)?$",
                                       description="Documents dated this or earlier.")
    organisation: Optional[StrictStr] = Field(None, min_length=1, max_length=100,
                                              description="The issuing body or school contains this.")
    title: Optional[StrictStr] = Field(None, min_length=1, max_length=100, description="The title contains this.")
    collection: Optional[list[Annotated[StrictStr, Field(min_length=1, max_length=40)]]] = Field(
        None, max_length=50, description="Collections (GET /collections), e.g. [\"laws\"]; default: all, or the "
                                         "ones the server was started with.")

    def to_filters(self):
        from ..retrieval.filters import Filters

        return Filters.given(self.kind, self.since, self.until, self.organisation, self.title, self.collection)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re", json_schema_extra={"examples": [
        {"question": EXAMPLE_QUESTION, "top_k": 5},
        {"question": "那A3组呢?", "history": [EXAMPLE_QUESTION]}]})

    question: StrictStr = Field(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=NON_BLANK,
                                description=f"A question in Chinese or English (1–{MAX_QUESTION_CHARS} characters, "
                                            f"not only spaces).")
    top_k: Annotated[int, Field(ge=1, le=MAX_TOP_K), BeforeValidator(json_whole_number)] = Field(
        5, description=f"How many passages to cite (1–{MAX_TOP_K}).")
    history: Optional[list[Union[HistoryQuestion, HistoryTurn]]] = Field(
        None, max_length=MAX_HISTORY_ITEMS, description=(
            "Earlier turns of the conversation, oldest first: question strings, or objects with a `question` "
            "(send back the `turn` of each answer, or the whole answer, and nothing is answered again). Follow-ups "
            f"such as '那A3组呢?' are read against them. The newest {HISTORY_TURNS} turns are read, up to "
            f"{HISTORY_CHARS:,} characters of their text in all; older ones are left out."))
    stream: StrictBool = Field(False, description=(
        "true: server-sent events: `passages` (the citations), then `delta` events ({\"text\"}) as the "
        "answer is written (each sentence checked), then `done` with the JSON of a plain request."))
    filters: Optional[FilterRequest] = Field(None, description=(
        "Answer only from these documents; the question may also say it (\"只看整改方案\", \"2023年以后的总结\"). "
        "A filter no document matches gets an answer that says so (found: false)."))


class Open(BaseModel):
    """A response model: the fields documented, and any others the server adds."""
    model_config = ConfigDict(extra="allow")


class PassageOut(Open):
    """A passage as answers cite it and searches list it: its document, section or article, lines,
    pages, text and score."""

    doc_id: str
    title: str
    source: str
    collection: str = Field("default", description="The collection (GET /collections) the document is in.")
    section: Optional[str] = None
    article: Optional[str] = None
    start_line: Optional[int] = None
    end_line: Optional[int] = None
    page: Optional[int] = None
    page_end: Optional[int] = None
    text: str
    score: float


class _Numbered(Open):
    n: int


class Citation(PassageOut, _Numbered):  # fields of the later base come first: n, then the passage
    pass


class Turn(Open):
    question: str
    resolved_question: str
    topic: Optional[str] = None
    title: Optional[str] = None


class AskResponse(Open):
    question: str
    answer: str
    citations: list[Citation]
    resolved_question: str
    lang: str
    found: bool
    sure: bool
    doubt: Optional[Literal["quote", "answers"]] = Field(
        None, description="When found and not sure, what is uncertain: `quote` (the documents answer this; the "
                          "quoted lines may not be the answer) or `answers` (whether the documents answer it at all).")
    confidence: float
    coverage: float
    turn: Turn = Field(description="Send this back in `history` with the next question.")


class _Ranked(Open):
    rank: int
    chunk_id: str


class SearchResult(PassageOut, _Ranked):  # rank and chunk_id first, as `search --json` prints them
    pass


class SearchResponse(Open):
    query: str
    results: list[SearchResult]


def _kind_names() -> list[str]:
    from ..drafting.template import load_templates

    names = []
    for template in load_templates().values():
        names.extend([template.kind, template.name, *template.aliases])
    return list(dict.fromkeys(names))


def _area_names() -> list[str]:
    from ..drafting.template import load_areas

    names = []
    for area in load_areas().values():
        names.extend([area.name, *area.aliases, *area.codes])
    return list(dict.fromkeys(names))


def _kinds_enum(schema: dict) -> None:
    schema["enum"] = _kind_names()


def _listed(names, resolve, what: str):
    """A validator: the value is one of `names` (the schema's enum), as written; else a 422 whose
    detail is the resolver's one-line error ("unknown kind 'poem'; valid kinds: …"), or, for a
    spelling the command line would take (an empty item, another case, two names in one string),
    what to send instead. The HTTP API accepts exactly what its schema says."""
    def check(value: str) -> str:
        if value in names():
            return value
        from ..errors import DraftError

        try:
            resolve(value)
        except DraftError as exc:
            message = str(exc)
        else:
            message = (f"{value!r} is not one of the {what} as the API takes them: send one as written in GET "
                       f"/draft/options or the OpenAPI enum")
        raise PydanticCustomError("enum", "{message}", {"message": message})
    return AfterValidator(check)


def _areas_enum(schema: dict) -> None:
    schema["enum"] = _area_names()


def _resolve_kind(value: str):
    from ..drafting.template import resolve_kind

    return resolve_kind(value)


def _resolve_area(value: str):
    from ..drafting.template import resolve_focus

    return resolve_focus([value])


FactValue = Union[Annotated[StrictInt, Field(ge=-10**15, le=10**15)], Annotated[StrictFloat, Field(ge=-1e15, le=1e15)],
                  Annotated[StrictStr, Field(min_length=1, max_length=200, pattern=ONE_LINE)]]
AreaName = Annotated[StrictStr, _listed(_area_names, _resolve_area, "areas"), Field(json_schema_extra=_areas_enum)]


class DraftRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re", json_schema_extra={"examples": [
        {"kind": "summary", "school": "青山镇中心小学", "facts": {"学生数": 650, "教职工数": 54},
         "focus": ["师资队伍", "办学条件"]}]})

    kind: Annotated[StrictStr, _listed(_kind_names, _resolve_kind, "kinds")] = Field(
        json_schema_extra=_kinds_enum,
        description="summary (工作总结), plan (工作方案), self-inspection (自查报告), rectification (整改方案) or "
                    "inspection-prep (迎检工作方案), or one of their other names listed.")
    school: StrictStr = Field(min_length=1, max_length=MAX_SCHOOL_CHARS, pattern=ONE_LINE,
                              description=f"The school (or unit) the document is for: one line of at most "
                                          f"{MAX_SCHOOL_CHARS} characters, without 【】.")
    facts: Optional[Annotated[dict[Annotated[str, Field(pattern=FACT_NAME, max_length=100)], FactValue],
                              Field(max_length=200, json_schema_extra={"additionalProperties": False})]] = Field(
        None, description='Placeholder name → the school\'s figure, e.g. {"学生数": 650}.')
    focus: Optional[Union[AreaName, Annotated[list[AreaName], Field(max_length=20)]]] = Field(
        None, description="Areas of work to cover (one, or a list of up to 20), e.g. 师资队伍, 办学条件.")
    facts_text: Optional[StrictStr] = Field(None, max_length=100_000, description=(
        "The same facts as JSON or YAML text, as pasted into the drafting page (`学生数: 650`); "
        "`facts` wins where both name a placeholder."))
    format: Literal["json", "md", "docx"] = Field("json", description="json: the outline as JSON; md: as Markdown text "
                                                                      "(a file to download); docx: a Word file in 公文 format.")


class DocumentRow(Open):
    id: str
    title: str
    kind: str
    source: str
    date: Optional[str] = Field(None, description="The signing date, ISO (2023-09-15, or 2012-02 for a month).")
    organisation: Optional[str] = None
    number: Optional[str] = Field(None, description="The document number (发文字号), e.g. 清政办发〔2023〕8号.")
    chunks: int


class DocumentList(BaseModel):
    documents: list[DocumentRow]


class Health(Open):
    status: str = Field(description="ok; `outdated` when a newer build exists that could not be loaded.")
    documents: int
    chunks: int
    embedding_model: Optional[str] = None
    embedding_setting: Optional[str] = None
    index_built_at: Optional[str] = None
    build: Optional[str] = Field(None, description="The build served (index/builds/<build>).")
    current_build: Optional[str] = Field(None, description="The build index/current points at now.")
    pending_rebuild: Optional[bool] = Field(None, description="An upload or delete is recorded on disk and its "
                                                              "rebuild has not finished yet (it resumes at start).")
    pending_reason: Optional[str] = Field(None, description="What the pending rebuild is for (\"uploaded a.docx\").")
    pending_since: Optional[str] = Field(None, description="When the pending rebuild was recorded.")
    reranker: Optional[str] = None
    llm_model: Optional[str] = None
    reload_error: Optional[str] = None


class DraftResponse(Open):
    kind: str
    kind_name: str
    school: str
    title: str
    sections: list[dict[str, Any]]

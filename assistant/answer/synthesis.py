"""Answers written by a language model, when one is configured (ASSISTANT_LLM_*): the model gets the
question and the numbered passages the extractive pipeline selected, writes the answer in the
question's language with [n] markers, and every sentence is checked as it arrives (checks.py):
a sentence citing a passage that was not sent, or stating a figure its passage does not hold, is
dropped; an answer left with nothing cited is replaced by the extractive one. Time-outs, HTTP
errors and malformed replies fall back to the extractive answer with a one-line note.

Whether the documents answer at all stays the retrieval's decision: a question they do not answer
(found false) is never sent to the model."""

from __future__ import annotations

import re

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Iterator

from .checks import Checker
from .compose import Answer

if TYPE_CHECKING:  # httpx (llm.py) is imported only when a model is configured
    from ..llm import ChatModel

log = logging.getLogger("assistant.llm")

#: Characters of one passage sent to the model (a whole section may be 2,400).
PASSAGE_CHARS = 3000

SYSTEM = """You answer questions about documents of China's compulsory-education balanced-development \
work (义务教育均衡发展) using ONLY the numbered passages in the user's message.
Rules:
1. {language}
2. After every sentence, cite the passage(s) it is based on as [n], using only the numbers given \
(1 to {count}). Every sentence that states a fact needs a citation.
3. Copy every figure (numbers, amounts, ratios, percentages, years, dates, article numbers) exactly \
as the passage writes it, digits and units included; never compute, round, convert or estimate.
4. Write nothing the passages do not say. If they answer only part of the question, answer that \
part and say briefly that the passages do not cover the rest.
5. Be concise: no preamble, no repetition of the question, no advice of your own.{extra}"""
LANGUAGE = {"zh": "Write the answer in Simplified Chinese.",
            "en": "Write the answer in English; keep names of schools, documents and programmes in the "
                  "original Chinese where an English name would be a guess (e.g. 曹集学校 (Caoji School))."}
SUMMARY_RULE = ("\n6. The passages come from different documents (usually one school each): summarise what "
                "each says about the question, naming the school or document, one short paragraph or bullet "
                "per document, each cited.")
NOTES = {
    "zh": {"error": "(语言模型未能作答:{reason};以下为摘录原文的回答。)\n",
           "check": "(语言模型的回答未通过出处核对:{reason};以下为摘录原文的回答。)\n",
           "repaired": "\n(已核对出处:删去了{count}句引用或数字与所引段落不符的话。)",
           "question": "问题:{question}", "resolved": "问题:{question}(结合前面的对话,理解为:{resolved})",
           "passages": "资料段落:"},
    "en": {"error": "(The language model gave no answer: {reason}; the answer below quotes the documents.)\n",
           "check": "(The language model's answer failed the citation check: {reason}; the answer below "
                    "quotes the documents.)\n",
           "repaired": "\n(Citations checked: {count} sentence(s) whose citation or figures did not match the "
                       "cited passage were removed.)",
           "question": "Question: {question}", "resolved": "Question: {question} (read, with the conversation "
                                                         "so far, as: {resolved})",
           "passages": "Passages:"},
}


def passage_block(n: int, passage) -> str:
    """Passage n as the model sees it (and as its figures are checked): title, section, text."""
    text = passage.text if len(passage.text) <= PASSAGE_CHARS else passage.text[:PASSAGE_CHARS] + "…"
    where = f"《{passage.title}》" + (f" {passage.section}" if passage.section else "")
    return f"[{n}] {where}\n{text}"


def messages_for(answer: Answer, blocks: list[str], summary: bool = False) -> list[dict]:
    lang = "zh" if answer.lang == "zh" else "en"
    say = NOTES[lang]
    system = SYSTEM.format(language=LANGUAGE[lang], count=len(blocks), extra=SUMMARY_RULE if summary else "")
    if answer.resolved_question != answer.question:
        asked = say["resolved"].format(question=answer.question, resolved=answer.resolved_question)
    else:
        asked = say["question"].format(question=answer.question)
    user = say["passages"] + "\n\n" + "\n\n".join(blocks) + "\n\n" + asked
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def strip_think(pieces: Iterator[str]) -> Iterator[str]:
    """The reply without a leading <think>…</think> block (reasoning models served by Ollama/vLLM)."""
    buffer, state = "", "start"
    for piece in pieces:
        if state == "text":
            yield piece
            continue
        buffer += piece
        if state == "start":
            head = buffer.lstrip()
            if not head or (len(head) < 7 and "<think>".startswith(head)):
                continue
            if not head.startswith("<think>"):
                state = "text"
                yield buffer
                buffer = ""
                continue
            state = "think"
        end = buffer.find("</think>")
        if end >= 0:
            rest, buffer, state = buffer[end + len("</think>"):].lstrip(), "", "text"
            if rest:
                yield rest
    if state == "start" and buffer:
        yield buffer


#: A sentence and what closes it (。！？；!?; or a line break), or the rest of the text.
_SENTENCE_PIECES = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+\n?|\n)|[^。！？；!?;\n]+$")


def events(answer: Answer, model: ChatModel | None, summary: bool = False,
           stream: bool = True) -> Iterator[tuple[str, object]]:
    """("delta", text) for each checked piece of the answer as it is written, then ("done", Answer).
    Without a model, or when the documents do not answer, the extractive answer sentence by sentence
    (a line break or a sentence end closes a piece), as a reader sees it arrive."""
    if model is None or not answer.found or not answer.passages:
        for piece in _SENTENCE_PIECES.findall(answer.text):
            yield "delta", piece
        yield "done", answer
        return
    from ..llm import LLMError

    lang = "zh" if answer.lang == "zh" else "en"
    blocks = [passage_block(n, p) for n, p in enumerate(answer.passages, start=1)]
    checker = Checker(blocks)
    prefix = answer.unsure_note()
    shown = False
    try:
        pieces = model.stream(messages_for(answer, blocks, summary)) if stream else \
            iter([model.complete(messages_for(answer, blocks, summary))])
        for piece in strip_think(pieces):
            text = checker.feed(piece)
            if text:
                if not shown and prefix:
                    yield "delta", prefix
                shown = True
                yield "delta", text
        text = checker.close()
        if text:
            yield "delta", text
    except LLMError as exc:
        yield "done", fallback(answer, model, "error", str(exc))
        return
    result = checker.result()
    if not result.usable:
        yield "done", fallback(answer, model, "check", result.why_unusable(), result)
        return
    body = prefix + result.text
    if result.dropped:
        body += NOTES[lang]["repaired"].format(count=len(result.dropped))
        yield "delta", NOTES[lang]["repaired"].format(count=len(result.dropped))
    info = {"model": model.model, "note": None, "cited": result.cited,
            "dropped": [d.to_dict() for d in result.dropped]}
    yield "done", replace(answer, text=body, mode="llm_repaired" if result.dropped else "llm", synthesis=info, pages={})


def fallback(answer: Answer, model: ChatModel, kind: str, reason: str, result=None) -> Answer:
    """The extractive answer with a one-line note saying why the model's answer is not used."""
    lang = "zh" if answer.lang == "zh" else "en"
    log.warning("language model answer not used (%s): %s", kind, reason)
    note = NOTES[lang][kind].format(reason=reason)
    info = {"model": model.model, "note": note.strip(), "cited": [],
            "dropped": [d.to_dict() for d in result.dropped] if result else []}
    return replace(answer, text=note + answer.text, mode="extractive_fallback", synthesis=info)


def synthesize(answer: Answer, model: ChatModel | None, summary: bool = False) -> Answer:
    """The checked answer, not streamed."""
    done = answer
    for kind, value in events(answer, model, summary, stream=False):
        if kind == "done":
            done = value
    return done


def continuation(streamed: str, final: str) -> str:
    """What to show after the streamed text so the reader ends with `final`: the rest of it, or,
    when the answer was replaced (a fallback), the whole final text on a new paragraph."""
    shown, whole = streamed.strip(), final.strip()
    if whole.startswith(shown):
        return whole[len(shown):]
    return ("\n\n" if shown else "") + whole

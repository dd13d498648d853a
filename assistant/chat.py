"""The terminal conversation behind `assistant chat`, and the rich printing of answers shared with
`assistant ask`."""

from __future__ import annotations

from typing import Callable

from rich.console import Console
from rich.markup import escape

from .collection import DEFAULT
from .errors import AssistantError

CHAT_HELP = """Type a question (Chinese or English); follow-ups such as "那A3组呢?" or "who leads it?" refer to
the conversation so far.
  /sources   show the full text of the last answer's passages
  /history   show the questions so far (and how follow-ups were read)
  /clear     start a new conversation
  /help      this help
  /quit      leave (also Ctrl-D)"""


def location(item: dict) -> str:
    """Where a cited passage is: file and lines (and pages), after its collection's name when that
    is not the default ("laws: 义务教育法.md:55-57")."""
    where = f"{item['source']}:{item['start_line']}-{item['end_line']}"
    if item.get("collection") and item["collection"] != DEFAULT:
        where = f"{item['collection']}: {where}"
    if item.get("page"):
        where += f", p.{item['page']}" + (f"–{item['page_end']}" if item.get("page_end") else "")
    return where


def print_citations(out: Console, answer: dict, full: bool = False) -> None:
    for item in answer["citations"]:
        out.print(f"[bold][{item['n']}][/bold] {escape(item['title'])} — [cyan]{escape(item['section'] or '(start)')}[/cyan]"
                  f"  [dim]{escape(location(item))}[/dim]")
        if full:
            out.print("    " + escape(item["text"]).replace("\n", "\n    "))


def print_answer(out: Console, answer: dict, full: bool = False) -> None:
    """Answer text, then its sources (with their passages when `full`)."""
    out.print(escape(answer["answer"]))
    print_sources(out, answer, full)


def print_sources(out: Console, answer: dict, full: bool = False) -> None:
    if answer["citations"]:
        out.print()
        zh = answer.get("lang") == "zh"
        note = "" if answer.get("found", True) else ("(最接近的段落,不是答案)" if zh else " (closest, not an answer)")
        out.print(f"[bold]{'来源' if zh else 'Sources'}[/bold]{note}")
    print_citations(out, answer, full)


def stream_answer(out: Console, events, full: bool = False) -> dict:
    """Print an answer as it is written (Assistant.ask_events), then its sources; the final JSON."""
    from .answer.synthesis import continuation

    streamed, final = "", None
    for kind, value in events:
        if kind == "passages":
            if value["resolved_question"] != value["question"]:
                out.print(f"[dim](read as: {escape(value['resolved_question'])})[/dim]")
        elif kind == "delta":
            streamed += value
            out.print(escape(value), end="")
            out.file.flush()
        elif kind == "done":
            final = value
    out.print(escape(continuation(streamed, final["answer"])))
    print_sources(out, final, full)
    return final


class ChatSession:
    """One conversation: the turns so far and the last answer, driven line by line."""

    def __init__(self, assistant, top_k: int, out: Console, err: Console):
        self.assistant = assistant
        self.top_k = top_k
        self.out = out
        self.err = err
        self.turns: list = []
        self.last: dict | None = None

    def run(self, read: Callable[[str], str] = input) -> None:
        self.out.print("义务教育均衡发展资料助手 — type a question, /help for commands, /quit to leave.")
        while True:
            try:
                line = read("> ")
            except (EOFError, KeyboardInterrupt):
                self.out.print()
                return
            if not self.handle(line.strip()):
                return

    def handle(self, line: str) -> bool:
        """Act on one line; False when the user leaves."""
        command = line.lower()
        if not line:
            return True
        if command in ("/quit", "/exit", "/q"):
            return False
        if command == "/help":
            self.out.print(escape(CHAT_HELP))
        elif command == "/clear":
            self.turns, self.last = [], None
            self.out.print("(new conversation)")
        elif command == "/history":
            for number, turn in enumerate(self.turns, start=1):
                note = "" if turn.resolved == turn.question else f"  → {turn.resolved}"
                self.out.print(f"{number}. {escape(turn.question)}{escape(note)}")
        elif command == "/sources":
            if self.last is None:
                self.out.print("no answer yet")
            else:
                print_citations(self.out, self.last, full=True)
        elif line.startswith("/"):
            self.out.print(f"unknown command {escape(line)}; /help lists the commands")
        else:
            self.ask(line)
        return True

    def ask(self, question: str) -> None:
        if getattr(self.assistant, "llm", None) is not None:
            self.ask_streamed(question)
            return
        try:
            answer = self.assistant.ask(question, self.top_k, history=self.turns)
        except AssistantError as exc:
            self.err.print(f"[red]error:[/red] {escape(str(exc))}")
            return
        self.turns.append(self.assistant.turn(answer))
        self.last = answer.to_dict()
        if answer.resolved_question != answer.question:
            self.out.print(f"[dim](read as: {escape(answer.resolved_question)})[/dim]")
        print_answer(self.out, self.last)
        self.out.print()

    def ask_streamed(self, question: str) -> None:
        """With a language model: the answer printed as it is written."""
        from .conversation import Turn

        try:
            events = self.assistant.ask_events(question, self.top_k, history=self.turns)
        except AssistantError as exc:
            self.err.print(f"[red]error:[/red] {escape(str(exc))}")
            return
        self.last = stream_answer(self.out, events)
        cited = self.last["citations"][0] if self.last["found"] and self.last["citations"] else None
        section = cited["section"].split(" › ")[-1] if cited and cited["section"] else None
        self.turns.append(Turn(question, self.last["resolved_question"], section, cited["title"] if cited else None))
        self.out.print()

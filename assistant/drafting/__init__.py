"""Drafting aid: outlines of new summaries and plans from templates (data files in templates/),
with suggested points, 【placeholders】 for the school's figures and cited example passages."""

from .examples import ExampleFinder
from .export import FORMATS, to_json, to_markdown, write_docx
from .facts import parse_facts_text, read_facts
from .outline import Outline, OutlineSection, build_outline, check_school
from .template import load_templates, resolve_focus, resolve_kind

__all__ = ["ExampleFinder", "FORMATS", "Outline", "OutlineSection", "build_outline", "check_school",
           "load_templates", "parse_facts_text", "read_facts", "resolve_focus", "resolve_kind", "to_json", "to_markdown", "write_docx"]

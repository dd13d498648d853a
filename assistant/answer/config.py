"""`AnswerConfig`: every constant that steers what an answer quotes, in one place, passed in (the
Assistant takes one; tests pass their own). Each says how it was chosen: measured, structural (a size
the documents themselves set), or a guess. The learned models' thresholds are not here: they are fitted
with the models (assistant/data/answer_model.json, scripts/train_answers.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AnswerConfig:
    #: Characters of a section assembled as one passage (service.py, retrieval/assembly.py); a longer
    #: section is cut at its best window and says so. Guess.
    section_limit: int = 2400
    #: Hits searched for a passage about each place or school the question names that the first passages
    #: do not (service.place_passages). Guess: twice the ranking's rescore depth.
    place_depth: int = 40
    #: A section this short is quoted whole (heading and body) rather than cut to its likely units.
    #: Guess: a short section is one topic (a group's members, one measure).
    short_section: int = 300
    #: An article of a law this short is quoted whole. Guess.
    short_article: int = 500
    #: An article the question asks for by law and number is quoted whole up to this length (issue 29: the
    #: longest article of the 414 laws of ../shared/realworld/large asked for is ~2,600 characters).
    asked_article: int = 3000
    #: Characters of items quoted after a chosen lead-in line ("组成人员如下:"). Guess: a list of ten
    #: one-line items.
    lead_in_items: int = 600
    #: A table a question that ranks or compares rows quotes from is quoted whole up to this many
    #: characters (its other rows are what the quoted row is the highest or the lowest of). Guess.
    table_rows: int = 2000
    #: Units quoted from one passage at most (the likeliest, in reading order). Guess.
    units_per_passage: int = 4
    #: The likeliest units of the question that are quoted when they are at least the model's
    #: `select_ratio` as likely as the best one (a figure question often asks for two or three figures
    #: stated in neighbouring sentences). Guess.
    top_units: int = 3
    #: A part's likeliest unit is quoted when at least this likely (asked of the part alone). Guess.
    part_floor: float = 0.1
    #: Passages not quoted are pointed to ("see also [3]") when their best sentences hold this much of
    #: the question (window coverage). Guess.
    related_threshold: float = 0.75
    #: Passages searched for a figure of the asked kind before a quantity question is said not found
    #: (compose.possible). Measured as a retrieval figure, not tuned: the top 3 held the answering
    #: passage for 90–97 % of the questions of the sets (issue 24).
    figure_passages: int = 3


DEFAULT = AnswerConfig()

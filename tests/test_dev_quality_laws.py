"""Quality on the real laws (../shared/realworld/laws), question by question: laws_dev in answer mode and
every article lookup it holds (the lists of today's misses are in test_dev_quality.py). A file of its own
so that the two test processes build its index and the shipped corpus's at the same time."""

import pytest

from assistant.evaluation import evaluate_answers, read_questions
from test_dev_quality import EVAL, LAWS, LAWS_DEV_WRONG, _assistant, _compare

pytestmark = [pytest.mark.slow, pytest.mark.real_model, pytest.mark.shared]


@pytest.fixture(scope="module")
def laws(tmp_path_factory):
    return _assistant(tmp_path_factory, LAWS)


def test_laws_dev_question_by_question(laws):
    report = evaluate_answers(read_questions(EVAL / "laws_dev.jsonl"), lambda q, k: laws.ask(q, k).to_dict())
    _compare({q["id"] for q in report["questions"] if not q["correct"]}, LAWS_DEV_WRONG, "laws_dev")


def test_laws_every_lookup_returns_its_article(laws):
    """Each question of laws_dev that names a law and an article gets that article first."""
    from assistant.retrieval.intent import intent_of

    looked_up = 0
    for question in read_questions(EVAL / "laws_dev.jsonl"):
        named = laws.searcher.law_names().named(question["q"])
        if named is None or not intent_of(question["q"]).articles or question.get("absent"):
            continue
        looked_up += 1
        first = laws.ask(question["q"]).citations()[0]
        assert first["article"] and first["doc_id"] in named.doc_ids, question["id"]
        text = first["text"].replace(" ", "")
        assert any(k.replace(" ", "") in text for k in question["keys"]), question["id"]
    assert looked_up >= 2

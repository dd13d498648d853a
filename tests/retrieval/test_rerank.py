from assistant.building import build_index
from assistant.retrieval.rerank import load_reranker
from assistant.retrieval.search import Searcher


class LengthReranker:
    """Fake cross-encoder: prefers shorter passages."""

    name = "fake-length"

    def score(self, question, passages):
        return [-float(len(p)) for p in passages]


def test_rerank_reorders_the_head_of_the_ranking_and_renumbers(settings, fake_embedder):
    """The reranker is part of the ranking stage: the first 20 candidates in its order, the rest after."""
    data, _ = build_index(settings.with_(chunk_chars=120), warn=lambda m: None, embedder=fake_embedder)
    hits = Searcher(data, fake_embedder).search("学校工作", top_k=20)
    reranked = Searcher(data, fake_embedder, reranker=LengthReranker()).search("学校工作", top_k=20)
    assert [h.rank for h in reranked] == list(range(1, len(hits) + 1))
    lengths = [len(h.chunk.text) for h in reranked]
    assert lengths == sorted(lengths)
    assert {h.chunk.id for h in reranked} == {h.chunk.id for h in hits}


def test_unloadable_reranker_is_off_with_one_line():
    warnings = []
    assert load_reranker(None, warnings.append) is None and warnings == []
    assert load_reranker("/no/such/reranker", warnings.append) is None
    assert len(warnings) == 1 and "reranking is off" in warnings[0]

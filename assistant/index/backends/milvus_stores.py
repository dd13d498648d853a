"""The two stores a query uses on the Milvus backend, with the interfaces of the local ones
(LexicalIndex, DenseIndex): BM25 candidates and dense neighbours come from the engine."""

from __future__ import annotations

import math

import numpy as np

from ...errors import BackendError

#: BM25 candidates taken from the engine per question: three times the ranking's depth (60), so
#: ties at its cut are decided by position as the local index decides them.
LEXICAL_CANDIDATES = 180
#: Extra dense neighbours fetched and cut after sorting ties by position (as FAISS orders them).
DENSE_MARGIN = 20


class MilvusLexical:
    """BM25 in Milvus with the interface of LexicalIndex: the vocabulary statistics live here (the
    ranking weighs question words by them), the scores come from the engine."""

    def __init__(self, client, collection: str, tokens: list[str], df: np.ndarray, token_ids: tuple, size: int,
                 candidates: int = LEXICAL_CANDIDATES):
        self.client, self.collection = client, collection
        self.vocab_dict = {token: number for number, token in enumerate(tokens)}
        self._tokens = tokens
        self._df = df
        self._doc_indptr, self._doc_token_ids = token_ids
        self.size = size
        self.candidates = candidates
        self.params = {"backend": "milvus"}

    def query_vector(self, tokens: list[str], weights: list[float] | None = None) -> dict[int, float]:
        """Token id → weight of the question: its count, or the sum of its weights (as
        LexicalIndex.scores adds one column per occurrence)."""
        vector: dict[int, float] = {}
        for number, token in enumerate(tokens):
            weight = 1.0 if weights is None else float(weights[number])
            if token in self.vocab_dict and weight > 0:
                key = self.vocab_dict[token]
                vector[key] = vector.get(key, 0.0) + weight
        return vector

    def scores(self, tokens: list[str], weights: list[float] | None = None) -> np.ndarray:
        """BM25 score of the best `candidates` chunks (others 0: the ranking takes its top 60)."""
        out = np.zeros(self.size, dtype=np.float32)
        vector = self.query_vector(tokens, weights)
        if not vector or self.size == 0:
            return out
        try:
            result = self.client.search(self.collection, data=[vector], anns_field="sparse",
                                        limit=min(self.candidates, self.size, 16_384), output_fields=["position"],
                                        search_params={"metric_type": "IP", "params": {"drop_ratio_search": 0.0}})
        except Exception as exc:  # noqa: BLE001
            raise backend_error("Milvus", f"BM25 search in {self.collection} failed", exc) from exc
        for hit in result[0]:
            out[int(hit["position"])] = hit["distance"]
        return out

    def doc_freq(self, token: str) -> int:
        number = self.vocab_dict.get(token)
        return 0 if number is None else int(self._df[number])

    def idf(self, token: str) -> float:
        """BM25 inverse document frequency: ln((N - df + 0.5) / (df + 0.5) + 1)."""
        df = self.doc_freq(token)
        return math.log((self.size - df + 0.5) / (df + 0.5) + 1.0)

    def doc_tokens(self, position: int) -> set[str]:
        start, end = self._doc_indptr[position], self._doc_indptr[position + 1]
        return {self._tokens[t] for t in self._doc_token_ids[start:end]} - {"∅"}

    def vocabulary(self) -> list[str]:
        return [t for t in self.vocab_dict if t != "∅" and t != ""]


class MilvusDense:
    """Nearest chunks by inner product on normalised embeddings, in Milvus (FLAT, or IVF_FLAT from
    `approximate_from` vectors with the local index's lists and probes)."""

    def __init__(self, client, collection: str, dim: int, size: int, kind: str, search: dict):
        self.client, self.collection = client, collection
        self.dim, self.size, self.kind = dim, size, kind
        self._params = {"metric_type": "IP", "params": dict(search)}

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions and similarities of the `k` nearest vectors, best first (ties by position)."""
        k = min(k, self.size)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        try:
            result = self.client.search(self.collection, data=[np.asarray(query, dtype=np.float32).ravel().tolist()],
                                        anns_field="dense", limit=min(k + DENSE_MARGIN, self.size, 16_384),
                                        output_fields=["position"], search_params=self._params)
        except Exception as exc:  # noqa: BLE001
            raise backend_error("Milvus", f"dense search in {self.collection} failed", exc) from exc
        ids = np.array([int(hit["position"]) for hit in result[0]], dtype=np.int64)
        sims = np.array([hit["distance"] for hit in result[0]], dtype=np.float32)
        order = np.lexsort((ids, -sims))[:k]
        return ids[order], sims[order]


def backend_error(uri: str, what: str, exc: BaseException, hint: str | None = None) -> BackendError:
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
    return BackendError(f"Milvus at {uri}: {what} ({type(exc).__name__}: {detail})" + (f"; {hint}" if hint else ""))

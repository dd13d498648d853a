"""Index stores: BM25 (lexical) and FAISS (dense), saved and loaded together, replaced atomically."""

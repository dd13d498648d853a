"""Reading corpus files into documents: loaders by format, cleaning, splitting compilations."""

from .pipeline import LoadReport, load_corpus, load_documents

__all__ = ["LoadReport", "load_corpus", "load_documents"]

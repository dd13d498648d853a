"""Reading corpus files into documents: loaders by format, cleaning, splitting compilations."""

from . import docx_loader, html_loader, markdown_loader, pdf_loader  # noqa: F401  (register the .docx, .html/.htm, .md and .pdf loaders)
from .pipeline import LoadReport, load_corpus, load_documents

__all__ = ["LoadReport", "load_corpus", "load_documents"]

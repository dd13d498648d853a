"""Retrieval assistant over compulsory-education balanced-development documents (义务教育均衡发展)."""

__version__ = "0.1.0"

"""Typed errors the library raises; the CLI turns them into one-line messages, the HTTP app into 4xx."""


class AssistantError(Exception):
    """Base class for every error a user can act on. The message says what to do."""


class CorpusError(AssistantError):
    """The corpus folder is missing, empty or holds nothing readable."""


class IndexMissingError(AssistantError):
    """No index has been built yet under ASSISTANT_HOME."""


class IndexCorruptError(AssistantError):
    """The index on disk cannot be read (partial copy, other version)."""


class LoadError(AssistantError):
    """One source file cannot be read; the build skips it with this message."""


class QuestionError(AssistantError):
    """A question or query is empty, too long, or has a bad parameter."""


class DraftError(AssistantError):
    """A draft request names an unknown kind or focus area, a bad school name, or a facts file that
    cannot be read; the message names what to fix (the valid kinds, the file)."""


class BackendError(AssistantError):
    """The index backend cannot be used: an unknown ASSISTANT_BACKEND, a Milvus URI that does not
    answer, a server without a feature the assistant needs, or a collection built with another
    embedding model. The message names the setting to change."""


class RequestTimeout(AssistantError):
    """A request ran past its time budget (the HTTP app answers 503) and was stopped."""

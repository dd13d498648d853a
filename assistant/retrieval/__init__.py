"""Query analysis, lexical + dense search, fusion, section assembly."""

"""The HTTP app (`assistant serve`): app.py builds it (`create_app`) with the ask/search, draft and page
routes; documents_routes.py the documents routes (list, upload, delete, rebuild), openai_routes.py the
OpenAI-compatible endpoint; schemas.py the request and response shapes (the OpenAPI document),
http_errors.py how errors become one readable `detail`; follow.py switching to a new build while serving,
rebuild.py the background rebuild an upload starts, uploads.py writing and removing corpus files safely,
pages.py one document as the chat page links to it."""

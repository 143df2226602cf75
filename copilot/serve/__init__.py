"""The local stand-in for the Interhuman Signals API (`copilot serve`), and the app's publisher
of its live session on the same stream protocol. Starlette routes on uvicorn; no Qt."""

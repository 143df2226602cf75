"""The output document: what `copilot analyze` writes and the local API answers.

document.py collects a session's steps into it, schema.json is its contract, and
recording.py makes the document of one recording by running the engine over the file.
"""

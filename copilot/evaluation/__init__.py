"""Scoring the signal engine against clips that people (or a script) labelled.

`labels` reads one labels file per clip, `scoring` matches predicted signal events to
the labelled spans and counts them, `report` turns the counts into the table that
`copilot eval` prints. Nothing here runs the engine: it scores result documents.
"""

"""The engine's run loop and what it is made of.

loop.py wires sources -> analyzers -> sinks on one clock (`Engine`); buffers.py holds the
bounded buffers between the capture threads and the analysis thread; stats.py says how well
it keeps up; step.py is the `Step` each analyzer reads and the `Analyzer` interface; and
analyzers.py is the one list of the standard analyzers, in the order they run.
"""

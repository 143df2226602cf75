"""Synthetic labelled scenarios: a warped face photo and espeak-ng speech following one script.

`python -m tests.scenarios.synth OUT_DIR [NAME ...]` renders them (about 8-15 s each) with
a labels file per clip; `copilot eval OUT_DIR` scores the engine on them. The clips are
a cache, never committed: the script and the rules that label it are the source.
"""

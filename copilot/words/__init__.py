"""Words: what each voice says, transcribed on the user's machine, and the lexical cues in it.

The speech model is Moonshine tiny-en, which ships inside the `moonshine-voice` wheel, so
nothing downloads at run time. Transcription runs on its own worker thread
(`copilot.words.analyzer`); the signal engine takes the words on the session clock like
any other cue.
"""

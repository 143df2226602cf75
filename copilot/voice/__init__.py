"""Voice cues per audio channel: who speaks when, and how (pitch, loudness, pace, fillers, turns).

The analyzer is `copilot.voice.analyzer.VoiceAnalyzer`; nothing heavy is imported here.
"""

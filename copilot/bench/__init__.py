"""Everything `copilot bench` measures, in one place: the face pipeline beside its earlier self
and MediaPipe (faces), the engine end to end and live (pipeline), face cues, signals, voice, the
local API as a client sees it (serve), the clips and galleries it runs on, and the models' own
per-call timings (models, a dev tool)."""

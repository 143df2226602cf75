"""Face cues: a face's landmarks turned into the behavioural vocabulary of DESIGN.md.

Per frame and participant: head pose, lean, gaze, eye openness, expression
intensities relative to the person's own neutral, motion; over time: nods, head
shakes, held head tilts, gaze aversion, blinks and yawns. All of it causal.
"""

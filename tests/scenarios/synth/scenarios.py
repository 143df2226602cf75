"""The synthetic scenarios: a listener or speaker whose face and voice follow a script.

Each covers one behaviour with stretches of neutral behaviour around it, so both the
hits and the false alarms are scored. Amplitudes and rates are those of ordinary
conversation (nods of 6-12° at 1.5-2.5 Hz, shakes of 10-20°), not extremes.
"""

from __future__ import annotations

from .script import Line, Move, Scenario

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "nodding_yes", 11.0,
        "A listener nods twice in agreement, saying \"yeah\" during the first nods and \"mm-hmm\" during "
        "the second, and holds still in between.",
        (Move("still", 0.0, 2.0), Move("nod", 2.0, 5.0, 10, 2.0), Move("still", 5.0, 7.5),
         Move("nod", 7.5, 10.0, 8, 1.6), Move("still", 10.0, 11.0)),
        (Line("backchannel", 3.0, "yeah"), Line("backchannel", 8.2, "mm-hmm", 120)),
    ),
    Scenario(
        "backchannels", 12.0,
        "A still listener agrees by voice alone: \"yeah\", \"mm-hmm\", \"right, exactly\" and \"okay, sure\" "
        "spaced a few seconds apart, without moving the head.",
        (Move("still", 0.0, 12.0),),
        (Line("backchannel", 1.5, "yeah"), Line("backchannel", 4.5, "mm-hmm", 120),
         Line("backchannel", 7.3, "right, exactly"), Line("backchannel", 10.0, "okay, sure")),
    ),
    Scenario(
        "shaking_no", 12.0,
        "A listener shakes the head, says \"No, I don't think that will work for us.\" while still, then "
        "shakes the head again.",
        (Move("still", 0.0, 1.5), Move("shake", 1.5, 4.5, 15, 2.0), Move("still", 4.5, 8.5),
         Move("shake", 8.5, 11.0, 12, 2.4), Move("still", 11.0, 12.0)),
        (Line("answer", 5.0, "No, I don't think that will work for us."),),
    ),
    Scenario(
        "hesitant_answer", 13.0,
        "Asked a question, the speaker says \"umm\", stays silent, says \"uhh\", stays silent again and only "
        "then gives a slow, tentative answer; the face stays toward the camera.",
        (Move("still", 0.0, 13.0),),
        (Line("filler", 1.0, "ummm", 80), Line("filler", 3.6, "uhh", 80),
         Line("hedged", 6.3, "well, I suppose we could, maybe, try it next month", 125)),
    ),
    Scenario(
        "fluent_answer", 11.0,
        "The speaker faces the camera and answers at once, fluently and firmly, in two sentences, with a "
        "couple of small nods at the start.",
        (Move("still", 0.0, 0.8), Move("nod", 0.8, 2.6, 7, 2.0), Move("still", 2.6, 11.0)),
        (Line("answer", 1.0, "Yes, that works well for us. We can start on Monday.", 170),
         Line("answer", 5.0, "The first version will be ready by the end of the month.", 170)),
    ),
    Scenario(
        "looks_away", 11.0,
        "A silent listener turns the head well away from the camera for four and a half seconds, then "
        "turns back and faces it again.",
        (Move("still", 0.0, 2.5), Move("away", 2.5, 7.0, 35), Move("still", 7.0, 11.0)),
    ),
    Scenario(
        "looks_down", 11.0,
        "A silent listener looks down (as at a phone) for five seconds, then back up at the camera.",
        (Move("still", 0.0, 3.0), Move("down", 3.0, 8.0, 28), Move("still", 8.0, 11.0)),
    ),
    Scenario(
        "leaves_frame", 10.0,
        "A silent listener slides out of the picture at 3 s and does not come back; the empty room stays.",
        (Move("still", 0.0, 3.0), Move("leave", 3.0, 10.0)),
    ),
    Scenario(
        "still_neutral", 10.0,
        "A face looks at the camera without moving or speaking: nothing to read.",
        (Move("still", 0.0, 10.0),),
        nothing_happens=True,
    ),
    Scenario(
        "glance_and_statement", 11.0,
        "The speaker makes a plain, fluent statement, then glances once, slowly, to the side and back (not "
        "a shake), then says one more sentence: neutral behaviour that must not read as disagreement.",
        (Move("still", 0.0, 4.5), Move("glance", 4.5, 6.5, 20), Move("still", 6.5, 11.0)),
        (Line("answer", 0.8, "The report is in the shared folder for this week.", 165),
         Line("answer", 7.0, "I will send the link after the call.", 165)),
    ),
)


def by_name(name: str) -> Scenario:
    for scenario in SCENARIOS:
        if scenario.name == name:
            return scenario
    raise KeyError(f"no scenario named {name!r}: {', '.join(s.name for s in SCENARIOS)}")

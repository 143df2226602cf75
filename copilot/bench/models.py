"""Times the face models: ONNX Runtime on the converted files vs LiteRT on the originals.

Dev-time check (LiteRT comes with the dev extra), not a test. From the repository root:

    python -m copilot.bench.models [--calls 300] [--rounds 3]

Prints the median milliseconds per call, CPU only, with 1 and 2 intra-op threads, and
for ONNX Runtime also with the batch cut into two parts run side by side on one thread
each (what the app does, `Model.run_batch`), for the shapes the face pipeline uses, and
the per-frame cost of a tracked face (landmarks for one face plus both irises as one
batch of two). Rounds are interleaved so that a burst of load elsewhere on the machine
hits every configuration alike.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("COPILOT_PROVIDER", "cpu")

from copilot.shipped.models import load_model, model_spec
from copilot.shipped.resources import resource_path

CASES = [  # (label, model, batch)
    ("detection 1x128", "face_detection_short_range", 1),
    ("landmarks 1x192", "face_landmark", 1),
    ("landmarks 4x192", "face_landmark", 4),
    ("iris 2x64", "iris_landmark", 2),
    ("iris 8x64", "iris_landmark", 8),
]
CONFIGS = [("ort", 1), ("litert", 1), ("ort", 2), ("litert", 2), ("ort-parts", 1)]


def ort_call(name: str, batch: int, threads: int, parts: int = 1):
    model = load_model(name, threads=threads)
    h, w = model_spec(name)["input_size"]
    feeds = {"image": np.random.default_rng(0).random((batch, h, w, 3), np.float32)}
    return lambda: model.run_batch(feeds, workers=parts)


def litert_call(name: str, batch: int, threads: int):
    """The original takes one image per call, so a batch is that many calls."""
    from ai_edge_litert.interpreter import Interpreter

    path = resource_path("models", model_spec(name)["original"])
    interpreter = Interpreter(model_path=str(path), num_threads=threads)
    interpreter.allocate_tensors()
    slot = interpreter.get_input_details()[0]
    image = np.random.default_rng(0).random(slot["shape"], np.float32)

    def call():
        for _ in range(batch):
            interpreter.set_tensor(slot["index"], image)
            interpreter.invoke()

    return call


def median_ms(call, calls: int) -> list[float]:
    for _ in range(max(calls // 10, 5)):
        call()
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    configs = CONFIGS
    makers = {"ort": ort_call, "litert": litert_call,
              "ort-parts": lambda name, b, threads: ort_call(name, b, threads, parts=2)}
    calls = {
        (label, runtime, threads): makers[runtime](name, b, threads)
        for label, name, b in CASES
        for runtime, threads in configs
    }
    samples: dict[tuple, list[float]] = {key: [] for key in calls}
    for _ in range(args.rounds):
        for key, call in calls.items():
            samples[key] += median_ms(call, args.calls // args.rounds)
    medians = {key: float(np.median(values)) for key, values in samples.items()}
    header = "".join(f"{f'{r} {t}t':>14}" for r, t in configs)
    print(f"median ms per call, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"{'':<18}{header}")
    for label, _, _ in CASES:
        print(f"{label:<18}" + "".join(f"{medians[(label, r, t)]:>14.2f}" for r, t in configs))
    frame = "".join(
        f"{medians[('landmarks 1x192', r, t)] + medians[('iris 2x64', r, t)]:>14.2f}" for r, t in configs
    )
    print(f"{'tracked face':<18}{frame}   (landmarks 1x192 + iris 2x64)")
    print(f"files: {Path(resource_path('models', '.')).resolve()}")


if __name__ == "__main__":
    main()

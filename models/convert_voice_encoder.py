"""Converts Resemblyzer's GE2E voice encoder (PyTorch) to ONNX, and keeps reference embeddings.

Dev-time tool: it needs the `convert` extra plus PyTorch and Resemblyzer, none of which the
app needs at run time. Install PyTorch's CPU build first, so Resemblyzer does not pull a
CUDA build of several GB, then Resemblyzer without its dependencies (it imports librosa,
scipy and webrtcvad at load; `pip install librosa scipy webrtcvad-wheels` covers them).
From the repository root:

    python models/convert_voice_encoder.py [--shared-data DIR]

It writes models/voice_encoder.onnx and prints its sha256 for models/models.toml. With
the shared recordings at hand it also writes tests/data/voice_encoder_reference.npz:
the embeddings Resemblyzer's own `VoiceEncoder.embed_utterance` gives for a few spans of
real speech, so the parity test can check the ONNX file and the app's numpy mel front end
against the original model on any machine, PyTorch or not.

The graph is the encoder's forward pass unchanged: a 3-layer LSTM (40 -> 256) over the
mel frames, the last layer's final hidden state through Linear(256, 256) and ReLU, then
L2 normalisation. Batch and frame count are symbolic, so one call embeds several windows.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np

MODELS_DIR = Path(__file__).resolve().parent
OUTPUT = MODELS_DIR / "voice_encoder.onnx"
REFERENCE = MODELS_DIR.parent / "tests" / "data" / "voice_encoder_reference.npz"
OPSET = 17
# Spans of real speech embedded by the original for the parity test: (file under shared
# data, start s, end s). WAV at 16 kHz only (16-bit or float), so both sides read the same samples.
REFERENCE_SPANS = (
    ("pyannote/ami_dev00.wav", 2.0, 12.0),   # MEE009, a long turn (several partials)
    ("pyannote/ami_dev00.wav", 13.2, 16.9),  # MEE012
    ("pyannote/sample.wav", 10.6, 14.6),     # speaker90
    ("pyannote/sample.wav", 22.0, 27.5),     # speaker91
    ("pyannote/sample.wav", 8.4, 9.9),       # speaker90, shorter than one 1.6 s partial
    ("lightasd_tiwater/00000.wav", 0.0, 6.0),
)


def read_wav(path: Path) -> np.ndarray:
    from scipy.io import wavfile

    rate, data = wavfile.read(path)
    if rate != 16000 or data.ndim != 1:
        raise SystemExit(f"{path}: expected mono WAV at 16 kHz")
    if data.dtype == np.int16:
        return data.astype(np.float32) / 32768.0
    return data.astype(np.float32)


def export(encoder, path: Path) -> None:
    import torch

    class Forward(torch.nn.Module):
        def __init__(self, inner) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, mels):
            return self.inner(mels)

    dummy = torch.rand(2, 160, 40)
    torch.onnx.export(Forward(encoder).eval(), (dummy,), str(path), input_names=["mels"],
                      output_names=["embedding"], opset_version=OPSET, dynamo=False,
                      dynamic_axes={"mels": {0: "batch", 1: "frames"}, "embedding": {0: "batch"}})


def references(encoder, shared: Path) -> dict[str, np.ndarray]:
    """Resemblyzer's own utterance embedding of each span, as its users call it, after its
    volume normalisation (its silence trimming is left out: it would change the span)."""
    from resemblyzer.audio import normalize_volume
    from resemblyzer.hparams import audio_norm_target_dBFS

    spans, embeddings = [], []
    for name, start, end in REFERENCE_SPANS:
        samples = read_wav(shared / name)[int(start * 16000) : int(end * 16000)]
        samples = normalize_volume(samples, audio_norm_target_dBFS, increase_only=True)
        embeddings.append(encoder.embed_utterance(samples.astype(np.float32)))
        spans.append(f"{name}|{start}|{end}")
    return {"spans": np.array(spans), "embeddings": np.array(embeddings, np.float32)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared-data", type=Path, default=MODELS_DIR.parent.parent / "shared" / "data",
                        help="the shared recordings, for the reference embeddings")
    args = parser.parse_args(argv)
    import torch
    from resemblyzer import VoiceEncoder

    torch.manual_seed(0)
    encoder = VoiceEncoder("cpu", verbose=False).eval()
    export(encoder, OUTPUT)
    print(f"{OUTPUT.name}: sha256 {hashlib.sha256(OUTPUT.read_bytes()).hexdigest()}")
    if args.shared_data.is_dir():
        REFERENCE.parent.mkdir(parents=True, exist_ok=True)
        np.savez(REFERENCE, **references(encoder, args.shared_data))
        print(f"wrote {REFERENCE}")
    else:
        print(f"no shared recordings at {args.shared_data}: no reference embeddings written",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

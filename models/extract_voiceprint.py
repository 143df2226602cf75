"""Takes the speaker-embedding model out of the moonshine-voice wheel and writes it as ONNX.

    python models/extract_voiceprint.py

The `moonshine-voice` wheel (already a dependency: it transcribes) carries pyannote's
"speaker-diarization-community-1" models inside its shared library, `libmoonshine.so`, as
ONNX Runtime (.ort) flatbuffers in read-only data, each under its own symbol. This script
reads the library's ELF symbol table, cuts out the speaker-embedding model's bytes exactly (its
symbol gives their address and size), and has ONNX Runtime itself write the same graph out as
an ONNX file, `models/voiceprint.onnx`, with every graph optimisation off, so the file holds
the wheel's nodes and weights unchanged (its weights stay int8 with a scale, as shipped). It
prints the sha256 for models/models.toml. Needs nothing beyond the standard library, ONNX
Runtime and the installed wheel.

Why not ship the .ort bytes as they are: ONNX Runtime runs an .ort file as it finds it, without
folding constants, so every call turned each int8 weight back into floats (a Cast, a Mul and an
Add per weight) and ran each convolution, ReLU and residual Add as a step of its own, with
weights it could not prepack. Loaded as ONNX, the weights fold to float once at load and the
convolutions fuse with their ReLU and residual Add into blocked (NCHWc) kernels: the same
outputs within 1e-6, about 28% less time per voiceprint on this 2-core machine (models/MODELS.md
gives the figures).
tests/test_voiceprint.py checks the committed file against the wheel's bytes run directly.

The wheel also carries community-1's speaker segmentation network (symbol
`..._segmentation_ort_dataE`). It was tried for finding turn changes and is not used: as
exported there, on two voices taking 2 s turns (a man and a woman) it marked one speaker
throughout, and on the AMI excerpt it ran two people together over 10 s.
"""

from __future__ import annotations

import hashlib
import struct
import sys
import tempfile
from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent
LIBRARY = "libmoonshine.so"
OUTPUT = MODELS_DIR / "voiceprint.onnx"
# cppannote::embedded_community1::embedding_ort_data, mangled as the library names it.
SYMBOL = "_ZN9cppannote19embedded_community118embedding_ort_dataE"
ORT_MAGIC = b"ORTM"  # a .ort flatbuffer's file identifier, bytes 4-8


def library_path() -> Path:
    import moonshine_voice

    return Path(moonshine_voice.__file__).with_name(LIBRARY)


def symbol_bytes(elf: bytes, name: str) -> bytes:
    """The bytes of the data symbol `name` in a 64-bit little-endian ELF file."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + k * shentsize) for k in range(shnum)]
    # (name, type, flags, addr, offset, size, link, info, addralign, entsize); SHT_SYMTAB = 2
    for _, kind, _, _, offset, size, link, _, _, entsize in sections:
        if kind != 2:
            continue
        strings = sections[link]
        for at in range(offset, offset + size, entsize):
            st_name, _, _, shndx, value, length = struct.unpack_from("<IBBHQQ", elf, at)
            start = strings[4] + st_name
            if elf[start:elf.index(b"\0", start)].decode() != name:
                continue
            home = sections[shndx]  # the section holding the symbol: address -> file offset
            where = value - home[3] + home[4]
            return elf[where:where + length]
    raise ValueError(f"symbol {name} not found (a moonshine-voice version without it?)")


def extract() -> bytes:
    """The model's bytes, as the installed wheel holds them (an .ort flatbuffer)."""
    data = symbol_bytes(library_path().read_bytes(), SYMBOL)
    if data[4:8] != ORT_MAGIC:
        raise ValueError(f"{SYMBOL} does not hold an ONNX Runtime model")
    return data


def ort_session(data: bytes, save_onnx: Path | None = None):  # -> onnxruntime.InferenceSession
    """The .ort bytes loaded as shipped, every optimisation off; with `save_onnx`, ONNX
    Runtime also writes the loaded graph there as ONNX."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.add_session_config_entry("session.load_model_format", "ORT")
    options.intra_op_num_threads = 1
    if save_onnx is not None:
        options.optimized_model_filepath = str(save_onnx)
    return ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])


def to_onnx(data: bytes) -> bytes:
    """The .ort model's graph and weights, unchanged, in an ONNX file's bytes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / OUTPUT.name
        ort_session(data, save_onnx=path)
        return path.read_bytes()


def main() -> int:
    data = to_onnx(extract())
    OUTPUT.write_bytes(data)
    print(f"{OUTPUT.name}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

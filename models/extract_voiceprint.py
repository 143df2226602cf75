"""Takes the speaker-embedding model out of the moonshine-voice wheel, byte for byte.

    python models/extract_voiceprint.py

The `moonshine-voice` wheel (already a dependency: it transcribes) carries pyannote's
"speaker-diarization-community-1" models inside its shared library, `libmoonshine.so`, as
ONNX Runtime (.ort) flatbuffers in read-only data, each under its own symbol. This script
reads the library's ELF symbol table, cuts out the speaker-embedding model's bytes exactly (its
symbol gives their address and size), writes them to `models/voiceprint.ort` and prints their
sha256 for models/models.toml. Nothing is converted or changed: the parity test re-reads the
installed wheel and checks the committed file is the same bytes. Needs nothing beyond the
standard library and the installed wheel.

The wheel also carries community-1's speaker segmentation network (symbol
`..._segmentation_ort_dataE`). It was tried for finding turn changes and is not used: as
exported there, on two voices taking 2 s turns (a man and a woman) it marked one speaker
throughout, and on the AMI excerpt it ran two people together over 10 s.
"""

from __future__ import annotations

import hashlib
import struct
import sys
from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent
LIBRARY = "libmoonshine.so"
OUTPUT = MODELS_DIR / "voiceprint.ort"
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
    """The model's bytes, as the installed wheel holds them."""
    data = symbol_bytes(library_path().read_bytes(), SYMBOL)
    if data[4:8] != ORT_MAGIC:
        raise ValueError(f"{SYMBOL} does not hold an ONNX Runtime model")
    return data


def main() -> int:
    data = extract()
    OUTPUT.write_bytes(data)
    print(f"{OUTPUT.name}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

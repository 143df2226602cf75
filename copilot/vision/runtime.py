"""The face models behind one call: an NHWC float batch in, outputs by size (or name) out.

Models come from `copilot.shipped.models.load_model`; the loader is a parameter so the
parity test can run the same pipeline on the original .tflite files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

DETECTOR = "face_detection_short_range"
FACE_MESH = "face_landmark"
IRIS = "iris_landmark"
ATTENTION_MESH = "face_landmark_with_attention"  # mesh, eye contours, lips and irises in one call

Loader = Callable[..., Any]


def default_loader() -> Loader:
    from copilot.shipped.models import load_model

    return load_model


class ImageModel:
    """Runs one model on a batch of (n, h, w, 3) images.

    Outputs are returned flattened per image and keyed by their length, because the
    converted files name their outputs differently from the originals while the
    sizes (e.g. 1404 landmark values, 1 face flag) are what the decoders rely on.
    """

    def __init__(self, name: str, load: Loader, threads: int | None = None) -> None:
        self.name = name
        self.model = load(name, threads=threads)
        self.provider = getattr(self.model, "provider", "?")
        self._input = self.model.input_names[0]
        self._channels_first = _wants_channels_first(self.model)
        self._warm_up()

    def _warm_up(self) -> None:
        """Runs the model once on blank images before the first real frame.

        ONNX Runtime plans memory on a session's first run for each batch size, which
        takes several times a normal call; paced or live, that delay would drop the
        session's first frames. Batches of one and two cover one face and one face's eyes.
        """
        session = getattr(self.model, "session", None)
        shape = session.get_inputs()[0].shape if session is not None else None
        if not shape or len(shape) != 4:
            return
        h, w = (shape[2], shape[3]) if self._channels_first else (shape[1], shape[2])
        if isinstance(h, int) and isinstance(w, int):
            for n in (1, 2):
                self.run(np.zeros((n, h, w, 3), np.float32))

    def run(self, batch: np.ndarray, workers: int | None = None) -> dict[int, np.ndarray]:
        """`workers`: the most parts the batch is cut into (None: as many as the cores allow)."""
        return {out.shape[1]: out for out in self._outputs(batch, workers)}

    def run_named(self, batch: np.ndarray, workers: int | None = None) -> dict[str, np.ndarray]:
        """Outputs by the file's names, for a model with two outputs of one size (an eye each)."""
        return dict(zip(self.model.output_names, self._outputs(batch, workers), strict=True))

    def _outputs(self, batch: np.ndarray, workers: int | None = None) -> list[np.ndarray]:
        if self._channels_first:
            batch = batch.transpose(0, 3, 1, 2)
        feeds = {self._input: np.ascontiguousarray(batch, dtype=np.float32)}
        n = batch.shape[0]
        # Loaded models cut a batch over the cores; other loaders (LiteRT for parity) do not.
        run_batch = getattr(self.model, "run_batch", None)
        outputs = self.model.run(feeds) if run_batch is None else run_batch(feeds, workers)
        return [np.asarray(out).reshape(n, -1) for out in outputs]


def _wants_channels_first(model: Any) -> bool:
    """True when the file's image input is (n, 3, h, w); read from the model, never guessed."""
    shape = getattr(model, "input_shape", None)
    session = getattr(model, "session", None)
    if shape is None and session is not None:
        shape = session.get_inputs()[0].shape
    return shape is not None and len(shape) == 4 and shape[1] == 3

"""Converts MediaPipe's face .tflite models to ONNX so the app needs only ONNX Runtime.

Dev-time tool (needs the `onnx` and `tflite` packages, not needed at run time). From the
repository root:

    python models/convert_tflite.py            # models/original/*.tflite -> models/*.onnx

Layout: each exported model takes its image NHWC, exactly like the original
([batch, H, W, 3], float32), and returns the original's output shapes. Inside, the graph
runs NCHW, which is what ONNX Runtime's convolution kernels want: one Transpose after the
input, none between layers, and a free Reshape (1x1 spatial) or one Transpose before
each output. The batch dimension is symbolic ("batch") so several faces run as one call.

Speed: ONNX Runtime's CPU provider runs convolutions in a blocked layout (NCHWc) and
must convert back and forth around any op it has no blocked kernel for. PRelu and Pad
are such ops, and the face mesh and iris models have one PRelu per layer, which made
them three times slower than LiteRT. So PRelu is written as x + (1 - alpha) * Relu(-x)
with two per-channel 1x1 convolutions, and BlazeFace's zero "channel padding" before a
residual Add as a 1x1 convolution with an identity kernel; both are exact and keep the
whole network in the blocked layout (see MODELS.md for the timings).

The attention mesh (face_landmark_with_attention) also carries three of MediaPipe's own
custom ops, which crop the eye and lip regions out of a feature map with the mesh's first
guess and map the refined points back. They are written here with standard ONNX ops from
their definitions in MediaPipe (mediapipe/util/tflite/operations, version 2 of each):
Landmarks2TransformMatrix as arithmetic on gathered landmarks, TransformTensorBilinear as
four gathers of the map's corners and their bilinear weights, and TransformLandmarks as a
MatMul and an Add. The three regions' matrices and samples are computed side by side, and the
two eyes' networks (the same layers, other weights) run as one network of twice the channels
(`Converter.twins`): on these small maps ONNX Runtime's cost per node is most of the time.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import tflite
from flatbuffers import flexbuffers
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
MODELS_DIR = Path(__file__).resolve().parent
# Graph input/output names in the original -> names callers read in the ONNX file.
RENAMES = {
    "face_detection_short_range": {"input": "image"},
    "face_landmark": {"input_1": "image", "conv2d_21": "landmarks", "conv2d_31": "face_flag"},
    "iris_landmark": {
        "input_1": "image",
        "output_eyes_contours_and_brows": "eye_contour",
        "output_iris": "iris",
    },
    # "left" and "right" are the image's: the left eye is the one at mesh points 33/133 (the
    # person's right eye in an unmirrored view), as in the iris model's first eye.
    "face_landmark_with_attention": {
        "input_1": "image",
        "output_mesh_identity": "landmarks",
        "output_lips": "lips",
        "output_left_eye": "eye_contour_left",
        "output_right_eye": "eye_contour_right",
        "output_left_iris": "iris_left",
        "output_right_iris": "iris_right",
        "conv_faceflag": "face_flag",
    },
}
_OPS = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
_DTYPES = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64, 9: np.int8}
_NHWC_TO_NCHW = (0, 3, 1, 2)
_NCHW_TO_NHWC = (0, 2, 3, 1)


@dataclass
class Value:
    """One tflite tensor as seen from the ONNX graph being built."""

    name: str
    shape: list[int]  # as in the tflite file (NHWC for images)
    const: np.ndarray | None = None  # known at convert time: weights, folded DEQUANTIZE
    quant: object = None  # tflite QuantizationParameters, for DEQUANTIZE
    nchw: bool = False  # True when the ONNX value holds this NHWC tensor transposed to NCHW


class Converter:
    """Builds the ONNX graph of one single-subgraph tflite model, op by op."""

    def __init__(self, data: bytes, renames: dict[str, str]):
        self.model = tflite.Model.GetRootAsModel(data, 0)
        self.data, self.renames = data, renames
        self.graph = self.model.Subgraphs(0)
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.values = [self._read_tensor(i) for i in range(self.graph.TensorsLength())]
        self.opset = OPSET
        self._layouts: dict[tuple[str, str], str] = {}  # (value, layout) -> its converted name
        self._matrix_of: dict[str, tuple[str, int]] = {}  # region matrix -> (its group's tensor, index)
        self._groups: dict[str, list] = {}
        self._halves: dict[str, tuple[str, int, int]] = {}  # twin value -> (joint tensor, half, channels)

    def _read_tensor(self, index: int) -> Value:
        t = self.graph.Tensors(index)
        shape = [int(d) for d in t.ShapeAsNumpy()] if t.ShapeLength() else []
        buf = self.model.Buffers(t.Buffer())
        raw = buf.DataAsNumpy().tobytes() if buf.DataLength() else b""
        if not raw and buf.Offset() > 1:  # large models keep buffers after the flatbuffer
            raw = self.data[buf.Offset() : buf.Offset() + buf.Size()]
        const = None
        if raw:
            if t.Type() not in _DTYPES:
                raise ValueError(f"tensor {t.Name().decode()}: unsupported type {t.Type()}")
            const = np.frombuffer(raw, dtype=_DTYPES[t.Type()]).reshape(shape)
        return Value(t.Name().decode(), shape, const, t.Quantization())

    # -- graph building helpers -------------------------------------------------------------
    def emit(self, op: str, inputs: list[str], output: str, **attrs) -> str:
        self.nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def init(self, name: str, array: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def nchw(self, v: Value) -> str:
        """Name of `v` in NCHW (activations are already; constants get transposed)."""
        if (v.name, "nchw") not in self._layouts:
            self._layouts[v.name, "nchw"] = self._to_nchw(v)
        return self._layouts[v.name, "nchw"]

    def nhwc(self, v: Value) -> str:
        """Name of `v` as the tflite file lays it out; converted once however often it is read."""
        if (v.name, "nhwc") not in self._layouts:
            self._layouts[v.name, "nhwc"] = self._to_nhwc(v)
        return self._layouts[v.name, "nhwc"]

    def _to_nchw(self, v: Value) -> str:
        if v.name in self._halves:  # one of twin branches' values: its half of their joint tensor
            joint, half, channels = self._halves[v.name]
            return self.cut(joint, 1, half * channels, (half + 1) * channels, v.name + "__half")
        if v.const is not None:
            arr = v.const.astype(np.float32).reshape([1] * (4 - v.const.ndim) + v.shape)
            return self.init(v.name + "__nchw", arr.transpose(_NHWC_TO_NCHW))
        if v.nchw:
            return v.name
        return self.emit("Transpose", [v.name], v.name + "__nchw", perm=_NHWC_TO_NCHW)

    def _to_nhwc(self, v: Value) -> str:
        if v.const is not None:
            return self.init(v.name, v.const)
        if not v.nchw:
            return v.name
        source = self.nchw(v)
        if math.prod(v.shape[1:3]) == 1:  # 1x1 spatial: both layouts share one memory order
            shape = np.array([0, *v.shape[1:]], dtype=np.int64)
            return self.emit("Reshape", [source, self.init(v.name + "__shape", shape)], v.name + "__nhwc")
        return self.emit("Transpose", [source], v.name + "__nhwc", perm=_NCHW_TO_NHWC)

    def activation(self, code: int, name: str, out: Value) -> None:
        """Fused activation of an op whose raw result is `name`; writes `out`."""
        if code == 0:
            self.emit("Identity", [name], out.name)
        elif code == 1:
            self.emit("Relu", [name], out.name)
        elif code in (2, 3):
            lo, hi = (-1.0, 1.0) if code == 2 else (0.0, 6.0)
            lo_name = self.init(out.name + "__lo", np.array(lo, np.float32))
            hi_name = self.init(out.name + "__hi", np.array(hi, np.float32))
            self.emit("Clip", [name, lo_name, hi_name], out.name)
        elif code == 4:
            self.emit("Tanh", [name], out.name)
        else:
            raise ValueError(f"{out.name}: unsupported fused activation {code}")

    @staticmethod
    def same_pads(size: list[int], kernel: list[int], stride: list[int], dilation: list[int]):
        """TFLite SAME padding, which puts the odd pixel at the end (bottom/right)."""
        begins, ends = [], []
        for n, k, s, d in zip(size, kernel, stride, dilation, strict=True):
            total = max((math.ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0)
            begins.append(total // 2)
            ends.append(total - total // 2)
        return begins + ends

    # -- ops ----------------------------------------------------------------------------------
    def op_conv(self, opts, x: Value, w: Value, b: Value, out: Value, depthwise: bool,
                groups: int = 1) -> None:
        """`groups` > 1: that many convolutions side by side (twin branches, see `twins`)."""
        kernel = w.const.astype(np.float32)
        if depthwise:  # [1, KH, KW, C*M] -> [C*M, 1, KH, KW], one group per input channel
            kernel, group = kernel.transpose(3, 0, 1, 2), x.shape[3]
        else:  # OHWI -> OIHW
            kernel, group = kernel.transpose(0, 3, 1, 2), groups
        strides = [opts.StrideH(), opts.StrideW()]
        dilations = [opts.DilationHFactor(), opts.DilationWFactor()]
        k = list(kernel.shape[2:])
        pads = self.same_pads(x.shape[1:3], k, strides, dilations) if opts.Padding() == 0 else [0] * 4
        inputs = [self.nchw(x), self.init(w.name + "__oihw", kernel)]
        if b is not None:
            inputs.append(self.init(b.name, b.const.astype(np.float32)))
        raw = self.emit(
            "Conv",
            inputs,
            out.name + "__raw",
            kernel_shape=k,
            strides=strides,
            dilations=dilations,
            pads=pads,
            group=group,
        )
        self.activation(opts.FusedActivationFunction(), raw, out)
        out.nchw = True

    def op_max_pool(self, opts, x: Value, out: Value) -> None:
        k, s = [opts.FilterHeight(), opts.FilterWidth()], [opts.StrideH(), opts.StrideW()]
        pads = self.same_pads(x.shape[1:3], k, s, [1, 1]) if opts.Padding() == 0 else [0] * 4
        raw = self.emit(
            "MaxPool", [self.nchw(x)], out.name + "__raw", kernel_shape=k, strides=s, pads=pads
        )  # padded cells never win, as in TFLite SAME
        self.activation(opts.FusedActivationFunction(), raw, out)
        out.nchw = True

    def op_binary(self, onnx_op: str, code: int, a: Value, b: Value, out: Value) -> None:
        as_nchw = len(out.shape) == 4 and any(v.nchw for v in (a, b))
        names = [self.nchw(v) if as_nchw else self.nhwc(v) for v in (a, b)]
        self.activation(code, self.emit(onnx_op, names, out.name + "__raw"), out)
        out.nchw = as_nchw

    def op_prelu(self, x: Value, alpha: Value, out: Value) -> None:
        if len(out.shape) != 4 or alpha.const is None:
            as_nchw = len(out.shape) == 4
            names = [self.nchw(v) if as_nchw else self.nhwc(v) for v in (x, alpha)]
            self.emit("PRelu", names, out.name)
            out.nchw = as_nchw
            return
        # PRelu(x) = x + (1 - alpha) * Relu(-x), built from per-channel 1x1 convolutions:
        # ONNX Runtime's blocked (NCHWc) CPU kernels fuse those with Relu and Add, while a
        # PRelu node would force two layout reorders around it.
        channels = x.shape[3]
        slope = np.broadcast_to(alpha.const.astype(np.float32), [1, 1, channels]).reshape(-1)
        negate = self.init(out.name + "__neg", np.full((channels, 1, 1, 1), -1.0, np.float32))
        scale = self.init(out.name + "__scale", (1.0 - slope).reshape(channels, 1, 1, 1))
        name = self.nchw(x)
        neg = self.emit("Conv", [name, negate], out.name + "__negx", kernel_shape=[1, 1], group=channels)
        relu = self.emit("Relu", [neg], out.name + "__relu")
        scaled = self.emit("Conv", [relu, scale], out.name + "__scaled", kernel_shape=[1, 1], group=channels)
        self.emit("Add", [name, scaled], out.name)
        out.nchw = True

    def op_pad(self, x: Value, paddings: Value, out: Value, groups: int = 1) -> None:
        pads = paddings.const.astype(np.int64)  # rows: (before, after) per NHWC axis
        if len(x.shape) != 4:
            pads_name = self.init(out.name + "__pads", np.concatenate([pads[:, 0], pads[:, 1]]))
            self.emit("Pad", [self.nhwc(x), pads_name], out.name, mode="constant")
            return
        pads = pads[list(_NHWC_TO_NCHW)]
        out.nchw = True
        if not pads[[0, 2, 3]].any():
            # Zero channels appended for a residual Add (BlazeFace's "channel padding"): a 1x1
            # convolution with an identity kernel does the same and keeps ONNX Runtime in its
            # blocked layout, which a Pad node would leave and re-enter.
            c_in, c_out = x.shape[3] // groups, out.shape[3] // groups
            kernel = np.zeros((groups, c_out, c_in, 1, 1), np.float32)
            kernel[:, pads[1, 0] + np.arange(c_in), np.arange(c_in)] = 1.0
            grouping = {"group": groups} if groups > 1 else {}  # (files without twins stay byte-identical)
            self.emit("Conv", [self.nchw(x), self.init(out.name + "__eye", kernel.reshape(-1, c_in, 1, 1))],
                      out.name, kernel_shape=[1, 1], **grouping)
            return
        pads_name = self.init(out.name + "__pads", np.concatenate([pads[:, 0], pads[:, 1]]))
        self.emit("Pad", [self.nchw(x), pads_name], out.name, mode="constant")

    def op_reshape(self, x: Value, out: Value) -> None:
        shape = list(out.shape)
        if shape and x.shape and shape[0] == x.shape[0]:
            shape[0] = 0  # keep the (dynamic) batch of the input
        shape_name = self.init(out.name + "__shape", np.array(shape, dtype=np.int64))
        self.emit("Reshape", [self.nhwc(x), shape_name], out.name)

    def op_concat(self, opts, inputs: list[Value], out: Value) -> None:
        axis = opts.Axis() % len(out.shape)
        if len(out.shape) == 4 and all(v.nchw for v in inputs):
            names, axis = [v.name for v in inputs], _NHWC_TO_NCHW.index(axis)
            out.nchw = True
        else:
            names = [self.nhwc(v) for v in inputs]
        raw = self.emit("Concat", names, out.name + "__raw", axis=axis)
        self.activation(opts.FusedActivationFunction(), raw, out)

    def op_dequantize(self, x: Value, out: Value) -> None:
        """Folds constant weights to float32 initializers (fp16 or int8 with scales)."""
        if x.const is None:
            raise ValueError(f"{out.name}: DEQUANTIZE of a run-time value is not supported")
        arr = x.const.astype(np.float32)
        q = x.quant
        if x.const.dtype != np.float16 and q is not None and q.ScaleLength():
            shape = [1] * arr.ndim
            if q.ScaleLength() > 1:
                shape[q.QuantizedDimension()] = -1
            arr = (arr - q.ZeroPointAsNumpy().reshape(shape)) * q.ScaleAsNumpy().reshape(shape)
        out.const = arr.astype(np.float32)

    def op_strided_slice(self, x: Value, begin: Value, end: Value, strides: Value, out: Value) -> None:
        """The attention mesh's one slice takes its whole input (a named copy of the mesh)."""
        whole = (not begin.const.any() and list(end.const) == x.shape and (strides.const == 1).all())
        if not whole:
            raise ValueError(f"{out.name}: only a STRIDED_SLICE of the whole tensor is supported")
        self.emit("Identity", [self.nchw(x) if x.nchw else self.nhwc(x)], out.name)
        out.nchw = x.nchw

    # -- MediaPipe's custom ops (version 2), from mediapipe/util/tflite/operations ---------------
    def const(self, name: str, value) -> str:
        return self.init(name, np.asarray(value, np.float32))

    def ints(self, name: str, value) -> str:
        return self.init(name, np.asarray(value, np.int64))

    def cut(self, x: str, axis: int, start: int, stop: int, name: str) -> str:
        """x[..., start:stop, ...] along `axis`."""
        return self.emit("Slice", [x, self.ints(name + "_s", [start]), self.ints(name + "_e", [stop]),
                                   self.ints(name + "_a", [axis])], name)

    def op_landmarks_to_matrices(self, group: list[tuple[dict, Value, Value]]) -> None:
        """Landmarks2TransformMatrix for several regions at once, as one (batch, G, 4, 4) tensor.

        Each matrix takes a region's output pixels to the feature map it is cut from: the box
        around its `subset_idxs` landmarks, turned so the line from `left_rotation_idx` to
        `right_rotation_idx` lies at `target_rotation_radians`, scaled by `scale_x`, `scale_y`.
        The eye and lip regions of the attention mesh are computed side by side, so the
        arithmetic is a few nodes for all of them rather than dozens for each (ONNX Runtime
        spends a few microseconds a node). Subsets of different lengths are padded with their
        own first index, which leaves their box unchanged. The rotation's cosine and sine come
        from the normalised line itself (ONNX has no atan2).
        """
        n = group[0][2].name + "__group"
        count, longest = len(group), max(len(o["subset_idxs"]) for o, _, _ in group)
        stacked = self.emit("Concat", [self.emit("Unsqueeze", [self.nhwc(marks), self.ints(f"{n}_u{k}", [1])],
                                                 f"{n}__m{k}") for k, (_, marks, _) in enumerate(group)],
                            f"{n}__marks", axis=1)  # (batch, G, 468, 3)
        points = group[0][1].shape[1]
        flat = self.emit("Reshape", [stacked, self.ints(f"{n}_fs", [0, count * points, 3])], f"{n}__flat")
        subsets = np.array([list(o["subset_idxs"]) + [o["subset_idxs"][0]] * (longest - len(o["subset_idxs"]))
                            for o, _, _ in group]) + points * np.arange(count)[:, None]
        ends = np.array([[o["left_rotation_idx"], o["right_rotation_idx"]] for o, _, _ in group])
        ends = ends + points * np.arange(count)[:, None]

        def xy(indices: np.ndarray, tag: str) -> str:  # (batch, G, len, 2)
            taken = self.emit("Gather", [flat, self.ints(f"{n}_{tag}i", indices)], f"{n}__{tag}3", axis=1)
            return self.cut(taken, 3, 0, 2, f"{n}__{tag}")

        line = self.emit("MatMul", [self.const(f"{n}_diff", [[-1.0, 1.0]]), xy(ends, "ends")], f"{n}__line")
        unit = self.emit("Div", [line, self.emit("Sqrt", [self.emit("ReduceSumSquare", [line], f"{n}__l2",
                                                                    axes=[3], keepdims=1)], f"{n}__len")],
                         f"{n}__unit")  # (batch, G, 1, 2): cos and sin of the line's angle
        # [cos r, sin r] for r = target - angle, through each region's own target
        targets = [float(o.get("target_rotation_radians", 0.0)) for o, _, _ in group]
        turn = np.array([[[math.cos(a), math.sin(a)], [math.sin(a), -math.cos(a)]] for a in targets])
        cos_sin = self.emit("MatMul", [unit, self.const(f"{n}_turn", turn[None])], f"{n}__cs")
        # rotate = [[c, s], [-s, c]]: row points times it turn them by r
        quarter = self.const(f"{n}_j", [[0.0, 1.0], [-1.0, 0.0]])
        perpendicular = self.emit("MatMul", [cos_sin, quarter], f"{n}__cs2")
        rotate = self.emit("Concat", [cos_sin, perpendicular], f"{n}__rot", axis=2)  # (batch, G, 2, 2)
        turned = self.emit("MatMul", [xy(subsets, "subset"), rotate], f"{n}__turned")
        low = self.emit("ReduceMin", [turned], f"{n}__lo", axes=[2], keepdims=1)
        high = self.emit("ReduceMax", [turned], f"{n}__hi", axes=[2], keepdims=1)
        size = self.emit("Sub", [high, low], f"{n}__size")
        middle = self.emit("Mul", [self.emit("Add", [high, low], f"{n}__sum"), self.const(f"{n}_half", 0.5)],
                           f"{n}__mid")
        # back through the inverse rotation: the region's centre in the map
        unturn = self.emit("Transpose", [rotate], f"{n}__unrot", perm=[0, 1, 3, 2])
        centre = self.emit("MatMul", [middle, unturn], f"{n}__centre")
        per_pixel = np.array([[o["scale_x"] / o["output_width"], o["scale_y"] / o["output_height"]]
                              for o, _, _ in group])[None, :, None, :]
        scale = self.emit("Mul", [size, self.const(f"{n}_k", per_pixel)], f"{n}__scale")
        # shift(centre) . rotate(-r) . scale . shift(-output / 2): its 2x2 part and its offset
        linear = self.emit("Mul", [rotate, scale], f"{n}__linear")
        halves = np.array([[o["output_width"] / 2, o["output_height"] / 2] for o, _, _ in group])
        halves = self.const(f"{n}_halves", halves[None, :, :, None])
        spread = self.emit("MatMul", [linear, halves], f"{n}__spread")
        offset = self.emit("Sub", [self.emit("Transpose", [centre], f"{n}__ct", perm=[0, 1, 3, 2]), spread],
                           f"{n}__offset")  # (batch, G, 2, 1)
        widened = self.emit("Pad", [linear, self.ints(f"{n}_p1", [0, 0, 0, 0, 0, 0, 0, 1])], f"{n}__lin3")
        rows = self.emit("Concat", [widened, offset], f"{n}__rows", axis=3)  # (batch, G, 2, 4)
        full = self.emit("Pad", [rows, self.ints(f"{n}_p2", [0, 0, 0, 0, 0, 0, 2, 0])], f"{n}__rows4")
        last = np.zeros((4, 4), np.float32)
        last[2, 2] = last[3, 3] = 1.0
        matrices = self.emit("Add", [full, self.const(f"{n}_last", last)], f"{n}__matrices")
        for k, (_, _, out) in enumerate(group):
            one = self.cut(matrices, 1, k, k + 1, f"{out.name}__g")
            self.emit("Squeeze", [one, self.ints(f"{out.name}_sq", [1])], out.name)
            self._matrix_of[out.name] = (matrices, k)

    def op_transform_tensors(self, group: list[tuple[dict, Value, Value, Value]]) -> None:
        """TransformTensorBilinear for several regions of one map: bilinear samples of the map
        at each output pixel's place under its region's matrix; zero where that place lies
        outside the map.

        Written as four GatherElements over the flattened map (the corners around each place)
        and their weights, for all regions at once: the op's own rule, exactly, and several
        times quicker in ONNX Runtime than a GridSample on these small outputs. A corner past
        the map's last row or column only ever has weight zero; its index is clamped.
        """
        opts, x, _, _ = group[0]
        n = group[0][3].name + "__group"
        height, width, channels = x.shape[1], x.shape[2], x.shape[3]
        out_h, out_w = int(opts["output_height"]), int(opts["output_width"])
        if any((int(o["output_height"]), int(o["output_width"])) != (out_h, out_w) or v is not x
               for o, v, _, _ in group):
            raise ValueError(f"{n}: grouped TransformTensorBilinear ops must share their map and size")
        count, pixels_out = len(group), out_h * out_w
        known = [self._matrix_of.get(m.name) for _, _, m, _ in group]
        if all(k is not None and k == (known[0][0], i) for i, k in enumerate(known)) and \
                len({k[0] for k in known}) == 1:
            matrices = known[0][0]  # the matrices' own group, in order: (batch, G, 4, 4)
        else:
            each = [self.emit("Unsqueeze", [self.nhwc(m), self.ints(f"{n}_u{i}", [1])], f"{n}__m{i}")
                    for i, (_, _, m, _) in enumerate(group)]
            matrices = self.emit("Concat", each, f"{n}__matrices", axis=1)
        # output pixel (x, y, 0, 1), shifted by the op's half-pixel (align corners) correction
        ys, xs = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
        grid = np.stack([xs + 0.5, ys + 0.5, np.zeros_like(xs), np.ones_like(xs)], -1).reshape(-1, 4).T
        places = self.emit("Sub", [self.emit("MatMul", [self.cut(matrices, 2, 0, 2, f"{n}__r01"),
                                                        self.const(f"{n}_grid", grid)], f"{n}__t"),
                                   self.const(f"{n}_h", 0.5)], f"{n}__places")  # (batch, G, 2, hw)
        limits = np.array([width - 1.0, height - 1.0], np.float32).reshape(2, 1)
        inside = self.emit("And", [
            self.emit("GreaterOrEqual", [places, self.const(f"{n}_lo", 0.0)], f"{n}__ge"),
            self.emit("LessOrEqual", [places, self.const(f"{n}_hi", limits)], f"{n}__le")], f"{n}__in2")
        valid = self.emit("Cast", [self.emit("ReduceMin", [self.emit("Cast", [inside], f"{n}__in2f",
                                                                     to=TensorProto.FLOAT)],
                                             f"{n}__in", axes=[2], keepdims=1)], f"{n}__valid",
                          to=TensorProto.FLOAT)  # (batch, G, 1, hw): both coordinates inside
        low = self.emit("Floor", [places], f"{n}__floor")
        frac = self.emit("Sub", [places, low], f"{n}__frac")
        clamped = self.emit("Min", [self.emit("Max", [low, self.const(f"{n}_c0", 0.0)], f"{n}__fc0"),
                                    self.const(f"{n}_c1", limits)], f"{n}__fc")
        first = self.emit("Cast", [clamped], f"{n}__first", to=TensorProto.INT64)
        second = self.emit("Min", [self.emit("Add", [first, self.ints(f"{n}_one", 1)], f"{n}__nr"),
                                   self.ints(f"{n}_max", limits.astype(np.int64))], f"{n}__second")
        fx, fy = self.cut(frac, 2, 0, 1, f"{n}__fx"), self.cut(frac, 2, 1, 2, f"{n}__fy")
        one = self.const(f"{n}_1", 1.0)
        weight_x = [self.emit("Sub", [one, fx], f"{n}__wx0"), fx]
        weight_y = [self.emit("Mul", [self.emit("Sub", [one, fy], f"{n}__wy0r"), valid], f"{n}__wy0"),
                    self.emit("Mul", [fy, valid], f"{n}__wy1")]
        columns = [self.cut(first, 2, 0, 1, f"{n}__x0"), self.cut(second, 2, 0, 1, f"{n}__x1")]
        rows = [self.emit("Mul", [self.cut(v, 2, 1, 2, f"{n}__y{k}r"), self.ints(f"{n}_w{k}", width)],
                          f"{n}__y{k}") for k, v in enumerate((first, second))]
        flat_shape = self.ints(f"{n}_fs", [0, channels, height * width])
        image = self.emit("Reshape", [self.nchw(x), flat_shape], f"{n}__map")
        as_row = self.ints(f"{n}_row", [0, 1, count * pixels_out])
        spread = self.ints(f"{n}_spread", [1, channels, 1])
        total = None
        for ty, (row, wy) in enumerate(zip(rows, weight_y, strict=True)):
            for tx, (column, wx) in enumerate(zip(columns, weight_x, strict=True)):
                tag = f"{ty}{tx}"
                index = self.emit("Add", [row, column], f"{n}__i{tag}")
                index = self.emit("Tile", [self.emit("Reshape", [index, as_row], f"{n}__ir{tag}"), spread],
                                  f"{n}__it{tag}")
                corner = self.emit("GatherElements", [image, index], f"{n}__g{tag}", axis=2)  # (b, C, G*hw)
                weight = self.emit("Mul", [wx, wy], f"{n}__w{tag}")
                weight = self.emit("Reshape", [weight, as_row], f"{n}__wr{tag}")
                term = self.emit("Mul", [corner, weight], f"{n}__v{tag}")
                total = term if total is None else self.emit("Add", [total, term], f"{n}__s{tag}")
        shape = self.ints(f"{n}_oshape", [0, channels, out_h, out_w])
        for k, (_, _, _, out) in enumerate(group):
            part = self.cut(total, 2, k * pixels_out, (k + 1) * pixels_out, f"{out.name}__part")
            self.emit("Reshape", [part, shape], out.name)
            out.nchw = True

    def op_transform_landmarks(self, marks: Value, matrix: Value, out: Value) -> None:
        """x, y through the matrix's first two rows (points lie at z = 0); a third column is kept."""
        n, m = out.name, self.nhwc(matrix)
        rows = self.cut(m, 1, 0, 2, f"{n}__rows")
        linear = self.emit("Transpose", [self.cut(rows, 2, 0, 2, f"{n}__lin")], f"{n}__lint", perm=[0, 2, 1])
        shift = self.emit("Transpose", [self.cut(rows, 2, 3, 4, f"{n}__off")], f"{n}__offt", perm=[0, 2, 1])
        points = self.nhwc(marks)
        dims = marks.shape[-1]
        xy = points if dims == 2 else self.cut(points, 2, 0, 2, f"{n}__xy")
        moved = self.emit("Add", [self.emit("MatMul", [xy, linear], f"{n}__mm"), shift],
                          out.name if dims == 2 else f"{n}__moved")
        if dims == 3:
            self.emit("Concat", [moved, self.cut(points, 2, 2, 3, f"{n}__z")], out.name, axis=2)

    # -- twin branches ------------------------------------------------------------------------
    TWIN_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "PRELU", "ADD", "MAX_POOL_2D", "PAD")

    def _kind(self, op) -> str:
        code = self.model.OperatorCodes(op.OpcodeIndex())
        name = _OPS.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()), "CUSTOM")
        return code.CustomCode().decode() if name == "CUSTOM" else name

    def twins(self) -> dict[int, int]:
        """Ops of branches built alike, paired in order: first op index -> its twin's index.

        The attention mesh reads each eye with a network of its own, the same layers with other
        weights. Run side by side as one network of twice the channels (grouped convolutions,
        per-channel everything else) they cost ONNX Runtime one node where they cost two: on
        these 16x16 and smaller maps the nodes' overhead is most of their time. A branch starts
        at a TransformTensorBilinear and holds the ops that read only its own values, up to the
        first op of another kind than those in TWIN_OPS (the Reshape of its outputs).
        """
        label: dict[int, int] = {}  # tensor -> branch
        branches: dict[int, list[int]] = {}
        for k in range(self.graph.OperatorsLength()):
            op = self.graph.Operators(k)
            kind = self._kind(op)
            inputs = [i for i in op.InputsAsNumpy() if i >= 0 and self.values[i].const is None]
            if kind == "TransformTensorBilinear":
                branch = len(branches)
                branches[branch] = []
            else:
                owners = {label.get(i) for i in inputs}
                if len(owners) != 1 or None in owners or kind not in self.TWIN_OPS:
                    continue
                branch = owners.pop()
                branches[branch].append(k)
            for i in op.OutputsAsNumpy():
                label[i] = branch
        signature = {b: [(self._kind(self.graph.Operators(k)),
                          *(tuple(self.values[i].shape) for i in self.graph.Operators(k).InputsAsNumpy()),
                          tuple(self.values[self.graph.Operators(k).Outputs(0)].shape)) for k in ops]
                     for b, ops in branches.items()}
        pairs, taken = {}, set()
        for a in branches:
            for b in branches:
                if a < b and not {a, b} & taken and branches[a] and signature[a] == signature[b]:
                    pairs.update(zip(branches[a], branches[b], strict=True))
                    taken |= {a, b}
        return pairs

    def _joint(self, one: Value, two: Value, tag: str) -> Value:
        """The two twins' inputs as one NCHW value of twice the channels."""
        h1, h2 = self._halves.get(one.name), self._halves.get(two.name)
        shape = [*one.shape[:-1], 2 * one.shape[-1]]
        if h1 and h2 and h1[0] == h2[0] and (h1[1], h2[1]) == (0, 1):
            return Value(h1[0], shape, nchw=True)
        name = self.emit("Concat", [self.nchw(one), self.nchw(two)], f"{tag}__joint", axis=1)
        return Value(name, shape, nchw=True)

    def run_twins(self, first, second) -> None:
        """An op and its twin as one op over their channels side by side."""
        kind = self._kind(first)
        ins = [[self.values[i] if i >= 0 else None for i in op.InputsAsNumpy()] for op in (first, second)]
        outs = [self.values[op.Outputs(0)] for op in (first, second)]
        joint_out = Value(outs[0].name + "__twins", [*outs[0].shape[:-1], 2 * outs[0].shape[-1]])

        def consts(k: int, axis: int) -> Value | None:
            if ins[0][k] is None:
                return None
            both = np.concatenate([ins[0][k].const, ins[1][k].const], axis=axis)
            return Value(ins[0][k].name + "__twins", list(both.shape), const=both)

        x = self._joint(ins[0][0], ins[1][0], joint_out.name + "_in")
        if kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            depthwise = kind == "DEPTHWISE_CONV_2D"
            cls = tflite.DepthwiseConv2DOptions if depthwise else tflite.Conv2DOptions
            opts = [self._options(op, cls) for op in (first, second)]
            same = [(o.StrideH(), o.StrideW(), o.Padding(), o.FusedActivationFunction()) for o in opts]
            if same[0] != same[1]:
                raise ValueError(f"{outs[0].name}: twin convolutions differ in their options")
            weights = consts(1, 3 if depthwise else 0)
            bias = consts(2, 0) if len(ins[0]) > 2 else None
            self.op_conv(opts[0], x, weights, bias, joint_out, depthwise, groups=1 if depthwise else 2)
        elif kind == "PRELU":
            self.op_prelu(x, consts(1, len(ins[0][1].shape) - 1), joint_out)
        elif kind == "ADD":
            act = self._options(first, tflite.AddOptions).FusedActivationFunction()
            other = self._joint(ins[0][1], ins[1][1], joint_out.name + "_in2")
            self.op_binary("Add", act, x, other, joint_out)
        elif kind == "MAX_POOL_2D":
            self.op_max_pool(self._options(first, tflite.Pool2DOptions), x, joint_out)
        elif kind == "PAD":
            self.op_pad(x, ins[0][1], joint_out, groups=2)
        else:
            raise ValueError(f"{outs[0].name}: {kind} cannot run as twins")
        for half, out in enumerate(outs):
            self._halves[out.name] = (joint_out.name, half, out.shape[-1])
            out.nchw = True

    # -- the whole graph ----------------------------------------------------------------------
    def _options(self, op, cls):
        table = op.BuiltinOptions()
        opts = cls()
        opts.Init(table.Bytes, table.Pos)
        return opts

    def run_op(self, op) -> None:
        code = self.model.OperatorCodes(op.OpcodeIndex())
        name = _OPS.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()), "custom")
        ins = [self.values[i] if i >= 0 else None for i in op.InputsAsNumpy()]
        out = self.values[op.Outputs(0)]
        if name in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            depthwise = name == "DEPTHWISE_CONV_2D"
            cls = tflite.DepthwiseConv2DOptions if depthwise else tflite.Conv2DOptions
            bias = ins[2] if len(ins) > 2 else None
            self.op_conv(self._options(op, cls), ins[0], ins[1], bias, out, depthwise)
        elif name == "MAX_POOL_2D":
            self.op_max_pool(self._options(op, tflite.Pool2DOptions), ins[0], out)
        elif name in ("ADD", "MUL", "SUB"):
            cls = {"ADD": tflite.AddOptions, "MUL": tflite.MulOptions, "SUB": tflite.SubOptions}
            act = self._options(op, cls[name]).FusedActivationFunction()
            self.op_binary(name.capitalize(), act, ins[0], ins[1], out)
        elif name in ("RELU", "RELU6", "RELU_N1_TO_1", "TANH", "LOGISTIC"):
            codes = {"RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3, "TANH": 4}
            if name == "LOGISTIC":
                self.emit("Sigmoid", [ins[0].name], out.name)
            else:
                self.activation(codes[name], ins[0].name, out)
            out.nchw = ins[0].nchw
        elif name == "PRELU":
            self.op_prelu(ins[0], ins[1], out)
        elif name == "PAD":
            self.op_pad(ins[0], ins[1], out)
        elif name == "RESHAPE":
            self.op_reshape(ins[0], out)
        elif name == "CONCATENATION":
            self.op_concat(self._options(op, tflite.ConcatenationOptions), ins, out)
        elif name == "DEQUANTIZE":
            self.op_dequantize(ins[0], out)
        elif name == "STRIDED_SLICE":
            self.op_strided_slice(*ins[:4], out)
        elif name == "CUSTOM":
            self.run_custom(op, code.CustomCode().decode(), code.Version(), ins, out)
        else:
            raise ValueError(f"operator {name} (feeding {out.name}) is not supported")

    def run_custom(self, op, kind: str, version: int, ins: list[Value], out: Value) -> None:
        """A custom op: the first of a run of its kind emits the whole run at once (see `groups`)."""
        if version != 2 or kind not in ("Landmarks2TransformMatrix", "TransformTensorBilinear",
                                        "TransformLandmarks"):
            raise ValueError(f"custom operator {kind} version {version} (feeding {out.name}) is not "
                             "supported")
        if kind == "TransformLandmarks":
            self.op_transform_landmarks(ins[0], ins[1], out)
            return
        group = self._groups.get(out.name)
        if group is None:
            return  # emitted with the first of its run
        members = [(self._custom_options(o), *[self.values[i] for i in o.InputsAsNumpy()],
                    self.values[o.Outputs(0)]) for o in group]
        if kind == "Landmarks2TransformMatrix":
            self.op_landmarks_to_matrices(members)
        else:
            self.op_transform_tensors(members)

    @staticmethod
    def _custom_options(op) -> dict:
        raw = op.CustomOptionsAsNumpy()
        return flexbuffers.Loads(raw.tobytes()) if isinstance(raw, np.ndarray) else {}

    def groups(self) -> dict[str, list]:
        """Runs of consecutive custom ops of one kind (the attention mesh's three regions), by the
        output name of the first of each run: they are emitted together, side by side."""
        runs: list[list] = []
        previous = None
        for k in range(self.graph.OperatorsLength()):
            op = self.graph.Operators(k)
            code = self.model.OperatorCodes(op.OpcodeIndex())
            kind = code.CustomCode().decode() if code.CustomCode() else None
            if kind in ("Landmarks2TransformMatrix", "TransformTensorBilinear"):
                if kind == previous:
                    runs[-1].append(op)
                else:
                    runs.append([op])
            if _OPS.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode())) != "DEQUANTIZE":
                previous = kind
        return {self.values[run[0].Outputs(0)].name: run for run in runs}

    def convert(self, doc: str) -> onnx.ModelProto:
        edges = [*self.graph.InputsAsNumpy(), *self.graph.OutputsAsNumpy()]
        public = {i: self.renames.get(self.values[i].name, self.values[i].name) for i in edges}
        for i in edges:
            self.values[i].name += "__inner"  # the public names belong to the graph's edges
        graph_inputs, graph_outputs = [], []
        for i in self.graph.InputsAsNumpy():
            v = self.values[i]
            graph_inputs.append(
                helper.make_tensor_value_info(public[i], TensorProto.FLOAT, ["batch", *v.shape[1:]])
            )
            self.emit("Transpose", [public[i]], v.name, perm=_NHWC_TO_NCHW)
            v.nchw = True
        self._groups = self.groups()
        operators = [self.graph.Operators(k) for k in range(self.graph.OperatorsLength())]
        for op in operators:  # constants first: a twin's weights may be dequantized after its pair
            if self._kind(op) == "DEQUANTIZE":
                self.run_op(op)
        pairs = self.twins()
        seconds = set(pairs.values())
        for k, op in enumerate(operators):
            if self._kind(op) == "DEQUANTIZE" or k in seconds:
                continue
            if k in pairs:
                self.run_twins(op, operators[pairs[k]])
            else:
                self.run_op(op)
        for i in self.graph.OutputsAsNumpy():
            v = self.values[i]
            self.emit("Identity", [self.nhwc(v)], public[i])
            graph_outputs.append(
                helper.make_tensor_value_info(public[i], TensorProto.FLOAT, ["batch", *v.shape[1:]])
            )
        graph = helper.make_graph(self.nodes, "graph", graph_inputs, graph_outputs, self.inits)
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", self.opset)],
            producer_name="meeting-copilot convert_tflite",
            doc_string=doc,
        )
        model.ir_version = 8  # readable by every ONNX Runtime since 1.14
        onnx.checker.check_model(model, full_check=True)
        return model


def convert_file(src: Path, dst: Path) -> str:
    """Writes dst from src; returns dst's sha256. The output is byte-for-byte reproducible."""
    data = src.read_bytes()
    doc = f"Converted from {src.name} (sha256 {hashlib.sha256(data).hexdigest()})"
    model = Converter(data, RENAMES.get(src.stem, {})).convert(doc)
    blob = model.SerializeToString()
    dst.write_bytes(blob)
    return hashlib.sha256(blob).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=MODELS_DIR / "original")
    parser.add_argument("--dst", type=Path, default=MODELS_DIR)
    args = parser.parse_args(argv)
    for stem in RENAMES:
        src = args.src / f"{stem}.tflite"
        digest = convert_file(src, args.dst / f"{stem}.onnx")
        print(f"{src.name} -> {stem}.onnx  sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

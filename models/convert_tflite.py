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
        if v.const is not None:
            arr = v.const.astype(np.float32).reshape([1] * (4 - v.const.ndim) + v.shape)
            return self.init(v.name + "__nchw", arr.transpose(_NHWC_TO_NCHW))
        if v.nchw:
            return v.name
        return self.emit("Transpose", [v.name], v.name + "__nchw", perm=_NHWC_TO_NCHW)

    def nhwc(self, v: Value) -> str:
        if v.const is not None:
            return self.init(v.name, v.const)
        if not v.nchw:
            return v.name
        if math.prod(v.shape[1:3]) == 1:  # 1x1 spatial: both layouts share one memory order
            shape = np.array([0, *v.shape[1:]], dtype=np.int64)
            return self.emit("Reshape", [v.name, self.init(v.name + "__shape", shape)], v.name + "__nhwc")
        return self.emit("Transpose", [v.name], v.name + "__nhwc", perm=_NCHW_TO_NHWC)

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
    def op_conv(self, opts, x: Value, w: Value, b: Value, out: Value, depthwise: bool) -> None:
        kernel = w.const.astype(np.float32)
        if depthwise:  # [1, KH, KW, C*M] -> [C*M, 1, KH, KW], one group per input channel
            kernel, group = kernel.transpose(3, 0, 1, 2), x.shape[3]
        else:  # OHWI -> OIHW
            kernel, group = kernel.transpose(0, 3, 1, 2), 1
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

    def op_pad(self, x: Value, paddings: Value, out: Value) -> None:
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
            c_in = x.shape[3]
            kernel = np.zeros((out.shape[3], c_in, 1, 1), np.float32)
            kernel[pads[1, 0] + np.arange(c_in), np.arange(c_in)] = 1.0
            self.emit(
                "Conv", [self.nchw(x), self.init(out.name + "__eye", kernel)], out.name, kernel_shape=[1, 1]
            )
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
        else:
            raise ValueError(f"operator {name} (feeding {out.name}) is not supported")

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
        for k in range(self.graph.OperatorsLength()):
            self.run_op(self.graph.Operators(k))
        for i in self.graph.OutputsAsNumpy():
            v = self.values[i]
            self.emit("Identity", [self.nhwc(v)], public[i])
            graph_outputs.append(
                helper.make_tensor_value_info(public[i], TensorProto.FLOAT, ["batch", *v.shape[1:]])
            )
        graph = helper.make_graph(self.nodes, "graph", graph_inputs, graph_outputs, self.inits)
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", OPSET)],
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

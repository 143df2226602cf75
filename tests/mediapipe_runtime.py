"""The attention mesh's original .tflite run by MediaPipe's own TFLite runtime and custom ops.

LiteRT cannot load face_landmark_with_attention.tflite (its three custom ops live in MediaPipe),
so the conversion is checked against MediaPipe itself: a small calculator graph of MediaPipe's
own calculators (image to tensor, inference with its op resolver, tensors to landmarks) reads
192x192 RGB crops and returns each output in crop pixels. Needs mediapipe==0.10.21 (the bench
extra); callers skip without it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

# The model's outputs in order, with their number of points (the face flag is left out).
OUTPUTS = (("landmarks", 468), ("lips", 80), ("eye_contour_left", 71), ("eye_contour_right", 71),
           ("iris_left", 5), ("iris_right", 5))
SIZE = 192


def _graph_text(model: Path) -> str:
    splits = "".join(f"ranges {{ begin: {k} end: {k + 1} }} " for k in range(len(OUTPUTS)))
    text = "input_stream: 'image'\n" + "".join(f"output_stream: '{name}'\n" for name, _ in OUTPUTS)
    text += f"""
node {{ calculator: 'ImageToTensorCalculator' input_stream: 'IMAGE:image' output_stream: 'TENSORS:input'
  options {{ [mediapipe.ImageToTensorCalculatorOptions.ext] {{ output_tensor_width: {SIZE}
    output_tensor_height: {SIZE} keep_aspect_ratio: false output_tensor_float_range {{ min: 0 max: 1 }}
    border_mode: BORDER_ZERO }} }} }}
node {{ calculator: 'TfLiteCustomOpResolverCalculator' output_side_packet: 'OP_RESOLVER:op_resolver' }}
node {{ calculator: 'InferenceCalculator' input_stream: 'TENSORS:input' output_stream: 'TENSORS:output'
  input_side_packet: 'OP_RESOLVER:op_resolver'
  options {{ [mediapipe.InferenceCalculatorOptions.ext] {{ model_path: '{model}'
    delegate {{ tflite {{}} }} }} }} }}
node {{ calculator: 'SplitTensorVectorCalculator' input_stream: 'output'
  {" ".join(f"output_stream: 't{k}'" for k in range(len(OUTPUTS)))}
  options {{ [mediapipe.SplitVectorCalculatorOptions.ext] {{ {splits} }} }} }}
"""
    for k, (name, points) in enumerate(OUTPUTS):
        text += f"""node {{ calculator: 'TensorsToLandmarksCalculator' input_stream: 'TENSORS:t{k}'
  output_stream: 'NORM_LANDMARKS:{name}' options {{ [mediapipe.TensorsToLandmarksCalculatorOptions.ext] {{
    num_landmarks: {points} input_image_width: {SIZE} input_image_height: {SIZE} }} }} }}
"""
    return text


def run_original(model: Path, crops_rgb: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Each output for every crop: name -> (crops, points, 2) in crop pixels."""
    from google.protobuf import text_format
    from mediapipe.framework import calculator_pb2
    from mediapipe.python import packet_creator, packet_getter
    from mediapipe.python._framework_bindings import calculator_graph, image_frame

    config = text_format.Parse(_graph_text(model), calculator_pb2.CalculatorGraphConfig())
    graph = calculator_graph.CalculatorGraph(graph_config=config)
    got: dict[str, list] = {name: [] for name, _ in OUTPUTS}
    for name, _ in OUTPUTS:
        graph.observe_output_stream(name, lambda _, packet, name=name: got[name].append(
            packet_getter.get_proto(packet)))
    graph.start_run()
    for k, crop in enumerate(crops_rgb):
        frame = packet_creator.create_image_frame(data=np.ascontiguousarray(crop),
                                                  image_format=image_frame.ImageFormat.SRGB)
        graph.add_packet_to_input_stream("image", frame.at(k + 1))
    graph.close()
    return {name: np.array([[[p.x * SIZE, p.y * SIZE] for p in item.landmark] for item in got[name]],
                           np.float32) for name, _ in OUTPUTS}

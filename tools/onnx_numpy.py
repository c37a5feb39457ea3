"""Runs an ONNX graph in plain numpy, for checking exports where Debian has no onnxruntime.

Covers the operators torch 1.13 writes for the models in tools/ (opset 14: a transformer's shape
arithmetic, LayerNorm spelled out, Erf for GELU); any other operator raises, so a check never passes
by skipping a node. Float tensors stay float32, as in ONNX Runtime.
"""

import math

import numpy as np
import onnx
from onnx import numpy_helper

_erf = np.frompyfunc(math.erf, 1, 1)


def _attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _unsqueeze(x, axes):
    rank = x.ndim + len(axes)
    for axis in sorted(int(a) % rank for a in axes):
        x = np.expand_dims(x, axis)
    return x


def _reshape(x, shape):
    shape = [x.shape[i] if s == 0 else int(s) for i, s in enumerate(shape)]
    return x.reshape(shape)


def _slice(x, starts, ends, axes=None, steps=None):
    axes = range(len(starts)) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    index = [slice(None)] * x.ndim
    for start, end, axis, step in zip(starts, ends, axes, steps):
        # ONNX clamps ends far past the axis (INT64_MAX); Python slices clamp the same way.
        index[int(axis)] = slice(int(start), int(end), int(step))
    return x[tuple(index)]


def _split(x, split, axis, outputs):
    sizes = list(split) if split is not None else [x.shape[axis] // outputs] * outputs
    return np.split(x, np.cumsum(sizes)[:-1], axis=axis)


def _divide(a, b):
    return a // b if np.issubdtype(a.dtype, np.integer) else (a / b).astype(a.dtype)


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _run_node(node, inputs):
    a = _attributes(node)
    op = node.op_type
    if op == "Constant":
        return [numpy_helper.to_array(a["value"])]
    if op == "Identity":
        return [inputs[0]]
    if op == "Shape":
        return [np.array(inputs[0].shape, dtype=np.int64)]
    if op == "Gather":
        return [np.take(inputs[0], inputs[1], axis=a.get("axis", 0))]
    if op == "Unsqueeze":
        return [_unsqueeze(inputs[0], inputs[1])]
    if op == "Concat":
        return [np.concatenate(inputs, axis=a["axis"])]
    if op == "Reshape":
        return [_reshape(inputs[0], inputs[1])]
    if op == "Transpose":
        return [np.transpose(inputs[0], a.get("perm"))]
    if op == "Cast":
        return [inputs[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]])]
    if op == "Slice":
        return [_slice(*inputs)]
    if op == "Split":
        return _split(inputs[0], inputs[1] if len(inputs) > 1 else None, a.get("axis", 0), len(node.output))
    if op == "Range":
        return [np.arange(inputs[0], inputs[1], inputs[2], dtype=inputs[0].dtype)]
    if op == "Where":
        return [np.where(*inputs)]
    if op == "Softmax":
        return [_softmax(inputs[0], a.get("axis", -1))]
    if op == "Erf":
        return [_erf(inputs[0]).astype(inputs[0].dtype)]
    if op == "ReduceMean":
        return [inputs[0].mean(axis=tuple(a["axes"]), keepdims=bool(a.get("keepdims", 1))).astype(inputs[0].dtype)]
    if op == "Sqrt":
        return [np.sqrt(inputs[0])]
    if op == "Pow":
        return [np.power(inputs[0], inputs[1]).astype(inputs[0].dtype)]
    if op == "Add":
        return [inputs[0] + inputs[1]]
    if op == "Sub":
        return [inputs[0] - inputs[1]]
    if op == "Mul":
        return [inputs[0] * inputs[1]]
    if op == "Div":
        return [_divide(inputs[0], inputs[1])]
    if op == "MatMul":
        return [np.matmul(inputs[0], inputs[1])]
    raise NotImplementedError(f"operator {op} (node {node.name}) is not covered")


def run_model(model, feeds):
    """The graph's outputs by name, for inputs given by name."""
    values = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    values.update(feeds)
    for node in model.graph.node:
        results = _run_node(node, [values[name] if name else None for name in node.input])
        values.update(zip(node.output, results))
    return {o.name: values[o.name] for o in model.graph.output}

"""Writes a model whose weights pass protobuf's 2 GB limit, for the large-model benchmark.

A chain of Gemm layers (transB = 1) alternating wide -> narrow and narrow -> wide features, each
weight in float32 in one external data file beside the model (4096-byte aligned offsets), biases
inline. Wide-and-narrow layers keep every spectrum's Gram matrix narrow x narrow, so the job's
cost is reading and writing the weights rather than eigen-solving 8192 x 8192 matrices. Weights
are seeded Gaussian scaled by 1/sqrt(fan-in), so activations stay near unit size along the chain.
The default, 66 layers of 16384 x 512, holds 2.06 GiB of weights. Nothing here is committed.

Run with Debian's interpreter, which has onnx and numpy:
    /usr/bin/python3 tools/make_large_model.py [--out models/cache/large/large.onnx] [--layers 66] [--wide 16384] [--narrow 512]
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper

ALIGNMENT = 4096


def build(out: str, layers: int, wide: int, narrow: int, seed: int) -> int:
    folder = os.path.dirname(os.path.abspath(out))
    os.makedirs(folder, exist_ok=True)
    data_name = os.path.basename(out) + ".data"
    rng = np.random.default_rng(seed)
    nodes, initializers = [], []
    features = wide
    written = 0
    with open(os.path.join(folder, data_name), "wb") as data:
        for i in range(layers):
            outputs = narrow if features == wide else wide
            # Generated one layer at a time: the whole set would not fit in memory twice.
            weight = (rng.standard_normal((outputs, features), dtype=np.float32) / np.sqrt(features)).astype("<f4")
            offset = (data.tell() + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT
            data.write(b"\0" * (offset - data.tell()))
            data.write(weight.tobytes())
            written += weight.nbytes
            tensor = TensorProto(name=f"W{i}", data_type=TensorProto.FLOAT, dims=[outputs, features])
            tensor.data_location = TensorProto.EXTERNAL
            for key, value in (("location", data_name), ("offset", str(offset)), ("length", str(weight.nbytes))):
                entry = tensor.external_data.add()
                entry.key, entry.value = key, value
            initializers.append(tensor)
            bias = (rng.standard_normal(outputs, dtype=np.float32) * 0.1).astype(np.float32)
            initializers.append(helper.make_tensor(f"b{i}", TensorProto.FLOAT, [outputs], bias))
            nodes.append(helper.make_node("Gemm", [f"x{i}", f"W{i}", f"b{i}"], [f"x{i + 1}"], name=f"gemm{i}", transB=1))
            features = outputs

    graph = helper.make_graph(
        nodes, "large_gemm_chain",
        [helper.make_tensor_value_info("x0", TensorProto.FLOAT, [1, wide])],
        [helper.make_tensor_value_info(f"x{layers}", TensorProto.FLOAT, [1, features])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="make_large_model.py")
    model.ir_version = 8
    with open(out, "wb") as f:
        f.write(model.SerializeToString())
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="models/cache/large/large.onnx")
    parser.add_argument("--layers", type=int, default=66)
    parser.add_argument("--wide", type=int, default=16384)
    parser.add_argument("--narrow", type=int, default=512)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    written = build(args.out, args.layers, args.wide, args.narrow, args.seed)
    print(f"{args.out}: {args.layers} Gemm layers, {written / 2**30:.2f} GiB of float32 weights in {os.path.basename(args.out)}.data")


if __name__ == "__main__":
    main()

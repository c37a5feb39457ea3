"""Measures the other factor order for a Conv: a 1x1 convolution down to rank r, then the k x k
convolution up to the outputs, instead of the k x k convolution down to r followed by a 1x1.

onnx-lowrank factors a Conv W (f x c x kh x kw) as the matrix W_A = (f) x (c kh kw): the k x k
factor comes first. The other order factors W_B = (f kh kw) x (c): Q (r x c) is a 1x1 convolution,
P (f kh kw x r) a k x k convolution with the layer's pads, strides and bias. Both orders keep
r (f + c kh kw) or r (c + f kh kw) weights, the same when c = f. Zero padding commutes with a 1x1
convolution that has no bias, so the composition is exactly the convolution by W_B's product.

This is an experiment, not part of the tool: it takes a model compressed by onnx-lowrank, replaces
the named layers' factor pairs by the other order at the given rank (truncated SVD of W_B from the
original weights), writes the result and prints, per layer, the relative operator-norm errors of
both orders in W_A's matricization. Time and score the output with `onnx-lowrank diff`
(docs/benchmarks.md, "Conv rank grid").

    /usr/bin/python3 tools/conv_factor_order.py ORIGINAL COMPRESSED OUT --rank 16 --layers NAME,NAME
"""
import argparse

import numpy as np
import onnx
from onnx import helper, numpy_helper


def relative_error(weight, approximation):
    """||W - W^||_2 / ||W||_2 with both read as f x (c kh kw), the matricization onnx-lowrank reports."""
    rows = weight.shape[0]
    return np.linalg.norm((weight - approximation).reshape(rows, -1), 2) / np.linalg.norm(weight.reshape(rows, -1), 2)


def input_first_factors(weight, rank):
    """Q (rank x c x 1 x 1) and P (f x rank x kh x kw) from the truncated SVD of W_B."""
    f, c, kh, kw = weight.shape
    w_b = weight.transpose(0, 2, 3, 1).reshape(f * kh * kw, c).astype(np.float64)
    u, s, vt = np.linalg.svd(w_b, full_matrices=False)
    p = (u[:, :rank] * s[:rank]).reshape(f, kh, kw, rank).transpose(0, 3, 1, 2)
    q = vt[:rank].reshape(rank, c, 1, 1)
    return q.astype(np.float32), p.astype(np.float32)


def kernel_first_product(weight, rank):
    """W_A's truncated SVD at this rank, back in the weight's shape: what onnx-lowrank writes at k = 1."""
    f = weight.shape[0]
    u, s, vt = np.linalg.svd(weight.reshape(f, -1).astype(np.float64), full_matrices=False)
    return ((u[:, :rank] * s[:rank]) @ vt[:rank]).reshape(weight.shape)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("original")
    parser.add_argument("compressed", help="the original compressed by onnx-lowrank; the layers' pairs are replaced")
    parser.add_argument("out")
    parser.add_argument("--rank", type=int, required=True)
    parser.add_argument("--layers", required=True, help="comma-separated Conv node names of the original")
    args = parser.parse_args()

    original = onnx.load(args.original)
    model = onnx.load(args.compressed)
    weights = {t.name: numpy_helper.to_array(t) for t in original.graph.initializer}
    originals = {n.name: n for n in original.graph.node}
    nodes = list(model.graph.node)
    by_name = {n.name: i for i, n in enumerate(nodes)}
    for name in args.layers.split(","):
        conv = originals[name]
        if onnx_group(conv) != 1:
            raise SystemExit(f"{name} is a grouped convolution; the experiment handles group = 1 only")
        weight = weights[conv.input[1]]
        # onnx-lowrank names a layer's pair NAME_lowrank_first and NAME_lowrank_second.
        first, second = by_name[name + "_lowrank_first"], by_name[name + "_lowrank_second"]
        q, p = input_first_factors(weight, args.rank)
        product = np.einsum("otij,tc->ocij", p.astype(np.float64), q[:, :, 0, 0].astype(np.float64))
        print(f"{name}: rank {args.rank}, relative error kernel-first {relative_error(weight, kernel_first_product(weight, args.rank)):.3f}, "
              f"input-first {relative_error(weight, product):.3f} (the compressed model had k = {onnx_group(nodes[first])})")

        model.graph.initializer.extend([numpy_helper.from_array(q, name + "_input_first_Q"), numpy_helper.from_array(p, name + "_input_first_P")])
        attributes = {a.name: helper.get_attribute_value(a) for a in conv.attribute if a.name != "group"}
        hidden = name + "_input_first_hidden"
        nodes[first] = helper.make_node("Conv", [nodes[first].input[0], name + "_input_first_Q"], [hidden], name=name + "_input_first_1x1",
                                        kernel_shape=[1, 1])
        nodes[second] = helper.make_node("Conv", [hidden, name + "_input_first_P"] + list(conv.input[2:]), list(nodes[second].output),
                                         name=name + "_input_first_kxk", **attributes)
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, args.out)


def onnx_group(node):
    """A Conv's group attribute (for a kernel-first factor written by onnx-lowrank, its slice count k)."""
    return next((helper.get_attribute_value(a) for a in node.attribute if a.name == "group"), 1)


if __name__ == "__main__":
    main()

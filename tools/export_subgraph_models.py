"""Writes models/subgraph/if_convs.onnx: a scripted torch model whose Convs and Linears sit inside If branches.

    /usr/bin/python3 tools/export_subgraph_models.py

torch.jit.script keeps the Python `if` on a value computed at run time (the sign of the input's sum), so
torch.onnx.export writes it as an ONNX If node with the two branches as subgraphs. The weights are the module's
parameters, which the exporter stores as initializers of the main graph: the branches read them from the outer
scope. The export is checked with onnx.checker (full_check) and by walking the file for an If whose branches
each hold Convs and a Gemm or MatMul. Weights come from a fixed seed; the model is untrained (tests compare the
compressed model with the original, not with labels).
"""
import os

import onnx
import torch
from torch import nn

SEED = 20261207
OPSET = 13
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "subgraph", "if_convs.onnx")


class Branch(nn.Module):
    """Two 3x3 Convs with a ReLU between, global average pool, a Linear head."""

    def __init__(self, width: int, classes: int):
        super().__init__()
        self.stem = nn.Conv2d(3, width, 3, padding=1)
        self.conv = nn.Conv2d(width, width, 3, padding=1)
        self.head = nn.Linear(width, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.stem(x))
        h = torch.relu(self.conv(h))
        return self.head(h.mean(dim=[2, 3]))


class IfConvs(nn.Module):
    """One branch for inputs whose sum is positive, another for the rest."""

    def __init__(self):
        super().__init__()
        self.positive = Branch(32, 10)
        self.negative = Branch(24, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if bool(x.sum() > 0):
            y = self.positive(x)
        else:
            y = self.negative(x)
        return y


def ops_in_branches(model):
    """Per If node, the operator types of each branch (nested subgraphs included)."""
    def ops(graph):
        found = []
        for node in graph.node:
            found.append(node.op_type)
            for attribute in node.attribute:
                if attribute.type == onnx.AttributeProto.GRAPH:
                    found += ops(attribute.g)
        return found
    return {node.name: {a.name: ops(a.g) for a in node.attribute if a.type == onnx.AttributeProto.GRAPH}
            for node in model.graph.node if node.op_type == "If"}


def main():
    torch.manual_seed(SEED)
    module = torch.jit.script(IfConvs().eval())
    example = torch.randn(1, 3, 16, 16)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    torch.onnx.export(module, (example,), OUT, opset_version=OPSET, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    model = onnx.load(OUT)
    onnx.checker.check_model(model, full_check=True)
    branches = ops_in_branches(model)
    if not branches:
        raise SystemExit("the export has no If node")
    for name, bodies in branches.items():
        for branch, ops in bodies.items():
            if ops.count("Conv") < 2 or not ({"Gemm", "MatMul"} & set(ops)):
                raise SystemExit(f"If '{name}' {branch} holds {ops}, not two Convs and a Gemm or MatMul")
    model.doc_string = "if_convs: Convs and Linears inside If branches, see models/README.md"
    onnx.save(model, OUT)
    print(f"wrote {OUT} ({os.path.getsize(OUT):,} bytes), torch {torch.__version__}, opset {OPSET}")
    for name, bodies in branches.items():
        for branch, ops in bodies.items():
            print(f"  {name}/{branch}: {' '.join(ops)}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Exports the small real-architecture models of models/corpus/ with Debian's torch 1.13.

Run with Debian's interpreter from the repository root:

    /usr/bin/python3 tools/export_corpus_models.py

Each model is an architecture met in practice, in the shape torch's exporter gives it, at a size
that CI can compress in seconds:

- streaming_gru: a streaming audio model, a Conv1d front end over 40 mel bins, a GRU cell stepped
  over the frames by a torch.jit.script loop (an ONNX Loop whose body holds a MatMul), the state in
  and out, and a Linear head; the time axis is dynamic.
- reflect_pad_tcn: a temporal conv net whose time axis is dynamic and reflect-padded before each
  Conv1d (reflect padding needs more frames than it pads, so the model cannot run at 1 frame).
- attention_block: a transformer encoder block, token embedding, LayerNormalization, multi-head
  attention as Linear and MatMul, a GELU feed-forward and a Linear head, with a dynamic sequence.

Weights are random, but each Linear and Conv weight gets a decaying power-law singular spectrum
(s_i proportional to (i + 1) ** -1.5), so that a low-rank layer can be close to its weight, as in
trained networks, instead of the flat spectrum of plain random weights, where any truncation loses
a share of the output about as large as the share of rank removed. Each model is written with
ONNX's test-data layout beside it, model.onnx and test_data_set_0/{input,output}_N.pb, the
outputs being torch's own on those inputs: an independent reference for the original model in
ONNX Runtime. Every file is checked with onnx.checker (full check) and must stay under 1 MB.
"""

import math
import os
import sys

import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "models", "corpus")
SEED = 20261207
MAX_BYTES = 1 << 20


def power_law_spectrum(module):
    """Gives every Linear and Conv weight singular values (i + 1) ** -1.5, scaled to a unit-gain layer."""
    for layer in module.modules():
        if isinstance(layer, (nn.Linear, nn.Conv1d)):
            w = layer.weight.data
            rows = w.shape[0]
            cols = w[0].numel()
            u, _ = torch.linalg.qr(torch.randn(rows, rows))
            v, _ = torch.linalg.qr(torch.randn(cols, cols))
            rank = min(rows, cols)
            s = torch.tensor([(i + 1) ** -1.5 for i in range(rank)])
            # The spectrum's energy equals that of a unit-variance layer on cols inputs, so activations
            # neither vanish nor explode through the stack.
            s *= math.sqrt(rows) / s.norm()
            matrix = u[:, :rank] @ torch.diag(s) @ v[:, :rank].T
            layer.weight.data = matrix.reshape(w.shape).contiguous()
            if layer.bias is not None:
                layer.bias.data = 0.1 * torch.randn_like(layer.bias)


class StreamingGru(nn.Module):
    """Conv front end, then a GRU cell over the frames in a scripted loop; state in, state out."""

    def __init__(self):
        super().__init__()
        self.front = nn.Sequential(
            nn.Conv1d(40, 128, 3, padding=1), nn.ReLU(),
            nn.Conv1d(128, 128, 3, padding=1), nn.ReLU())
        self.input_gates = nn.Linear(128, 192)
        self.hidden_gates = nn.Linear(64, 192)
        self.head = nn.Linear(64, 32)

    def forward(self, features: torch.Tensor, state: torch.Tensor):
        frames = self.front(features).transpose(1, 2)
        gates_in = self.input_gates(frames)
        h = state
        steps = []
        for t in range(gates_in.size(1)):
            x = gates_in[:, t]
            g = self.hidden_gates(h)
            r = torch.sigmoid(x[:, :64] + g[:, :64])
            z = torch.sigmoid(x[:, 64:128] + g[:, 64:128])
            n = torch.tanh(x[:, 128:] + r * g[:, 128:])
            h = (1 - z) * n + z * h
            steps.append(h)
        return self.head(torch.stack(steps, 1)), h


class ReflectPadTcn(nn.Module):
    """Conv1d blocks over a reflect-padded dynamic time axis, then a per-frame Linear."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(80, 128, 7)
        self.conv2 = nn.Conv1d(128, 128, 5)
        self.proj = nn.Linear(128, 64)

    def forward(self, spectrogram):
        x = F.relu(self.conv1(F.pad(spectrogram, (3, 3), mode="reflect")))
        x = F.relu(self.conv2(F.pad(x, (2, 2), mode="reflect")))
        return self.proj(x.transpose(1, 2))


class AttentionBlock(nn.Module):
    """One pre-norm transformer encoder block over token embeddings; attention written out as MatMuls."""

    def __init__(self, vocab=512, width=128, heads=4, hidden=384):
        super().__init__()
        self.heads = heads
        self.embed = nn.Embedding(vocab, width)
        self.norm1 = nn.LayerNorm(width)
        self.query = nn.Linear(width, width)
        self.key = nn.Linear(width, width)
        self.value = nn.Linear(width, width)
        self.out = nn.Linear(width, width)
        self.norm2 = nn.LayerNorm(width)
        self.up = nn.Linear(width, hidden)
        self.down = nn.Linear(hidden, width)
        self.classify = nn.Linear(width, 8)

    def forward(self, input_ids, attention_mask):
        x = self.embed(input_ids)
        b, s, d = x.shape
        h = self.norm1(x)
        split = lambda t: t.reshape(b, s, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(self.query(h)), split(self.key(h)), split(self.value(h))
        scores = q @ k.transpose(2, 3) / math.sqrt(d // self.heads)
        scores = scores + (1.0 - attention_mask[:, None, None, :].float()) * -1e4
        attended = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, s, d)
        x = x + self.out(attended)
        x = x + self.down(F.gelu(self.up(self.norm2(x))))
        return self.classify(x)


def export(name, model, inputs, input_names, output_names, dynamic_axes, opset):
    folder = os.path.join(OUT, name)
    data = os.path.join(folder, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    model.eval()
    with torch.no_grad():
        outputs = model(*inputs)
        torch.onnx.export(model, inputs, path, input_names=input_names, output_names=output_names,
                          dynamic_axes=dynamic_axes, opset_version=opset, do_constant_folding=True)
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    checked = onnx.load(path)
    onnx.checker.check_model(checked, full_check=True)
    checked.producer_name = "tools/export_corpus_models.py"
    onnx.save(checked, path)
    for i, tensor in enumerate(inputs):
        onnx.save_tensor(onnx.numpy_helper.from_array(tensor.numpy(), input_names[i]), os.path.join(data, f"input_{i}.pb"))
    for i, tensor in enumerate(outputs):
        onnx.save_tensor(onnx.numpy_helper.from_array(tensor.numpy(), output_names[i]), os.path.join(data, f"output_{i}.pb"))
    size = os.path.getsize(path)
    if size > MAX_BYTES:
        sys.exit(f"{path} is {size} bytes, over the corpus limit of {MAX_BYTES}")
    ops = sorted({n.op_type for n in checked.graph.node})
    print(f"{os.path.relpath(path, ROOT)}: {size} bytes, opset {opset}, ops {' '.join(ops)}")


def main():
    torch.manual_seed(SEED)
    gru = StreamingGru()
    power_law_spectrum(gru)
    export("streaming_gru", torch.jit.script(gru),
           (torch.randn(1, 40, 24), torch.zeros(1, 64)),
           ["features", "state"], ["logits", "state_out"],
           {"features": {2: "time"}, "logits": {1: "time"}}, opset=13)

    tcn = ReflectPadTcn()
    power_law_spectrum(tcn)
    export("reflect_pad_tcn", tcn, (torch.randn(2, 80, 50),), ["spectrogram"], ["frames"],
           {"spectrogram": {0: "batch", 2: "time"}, "frames": {0: "batch", 1: "time"}}, opset=13)

    block = AttentionBlock()
    power_law_spectrum(block)
    ids = torch.randint(0, 512, (2, 16))
    mask = torch.ones(2, 16, dtype=torch.int64)
    mask[1, 12:] = 0
    export("attention_block", block, (ids, mask), ["input_ids", "attention_mask"], ["logits"],
           {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
            "logits": {0: "batch", 1: "sequence"}}, opset=17)


if __name__ == "__main__":
    main()

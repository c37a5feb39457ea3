#!/usr/bin/python3
"""Trains the reference models under models/ on Fashion-MNIST and writes the data slices.

Run with Debian's interpreter (python3-torch 1.13, python3-onnx 1.12, dataset-fashion-mnist,
libopenblas0-pthread):

    /usr/bin/python3 tools/train_reference_models.py              # everything
    /usr/bin/python3 tools/train_reference_models.py slices       # models/data/ only
    /usr/bin/python3 tools/train_reference_models.py mlp          # models/mlp.onnx
    /usr/bin/python3 tools/train_reference_models.py resnet       # models/resnet.onnx
    /usr/bin/python3 tools/train_reference_models.py readme       # models/README.md from the .onnx files

Each exported model carries its provenance (seed, epochs, accuracies, ...) in its ONNX
metadata_props, so models/README.md is regenerated from the files themselves.
"""

import argparse
import gzip
import json
import os
import platform
import random
import struct
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper
from torch.nn.utils.fusion import fuse_conv_bn_eval

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(REPO, "models")
DATA = os.path.join(MODELS, "data")
CHECKPOINTS = os.path.join(MODELS, "cache")
DATASET_DIR = "/usr/share/datasets/fashion-mnist"

MEAN = 0.2860
STD = 0.3530
SEED = 20261122
OPSET = 13
TEST_SLICE = 2000
CALIBRATION_SLICE = 512
IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


# ---------------------------------------------------------------- IDX files

def read_idx(path):
    """Reads a gzip IDX file of unsigned bytes (images: N x 28 x 28, labels: N)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, count = struct.unpack(">II", raw[:8])
    if magic == IMAGES_MAGIC:
        rows, cols = struct.unpack(">II", raw[8:16])
        data = np.frombuffer(raw, dtype=np.uint8, offset=16)
        if data.size != count * rows * cols:
            raise ValueError(f"{path}: header says {count}x{rows}x{cols}, body has {data.size} bytes")
        return data.reshape(count, rows, cols)
    if magic == LABELS_MAGIC:
        data = np.frombuffer(raw, dtype=np.uint8, offset=8)
        if data.size != count:
            raise ValueError(f"{path}: header says {count} labels, body has {data.size}")
        return data
    raise ValueError(f"{path}: unknown IDX magic {magic}")


def write_idx(path, array):
    """Writes uint8 images (N x R x C) or labels (N) as gzip IDX, byte-for-byte reproducible."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    if array.ndim == 3:
        header = struct.pack(">IIII", IMAGES_MAGIC, *array.shape)
    elif array.ndim == 1:
        header = struct.pack(">II", LABELS_MAGIC, array.shape[0])
    else:
        raise ValueError(f"IDX of rank {array.ndim} is not written here")
    # mtime=0 and no file name keep the gzip bytes identical from run to run.
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
        f.write(header + array.tobytes())


def load_split(split):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(DATASET_DIR, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATASET_DIR, f"{prefix}-labels-idx1-ubyte.gz"))
    return images, labels


def to_unit_tensor(images):
    """uint8 N x 28 x 28 -> float32 N x 1 x 28 x 28 in [0, 1]."""
    return torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)


def normalise(x):
    """The model input: pixels in [0, 1], then (x - MEAN) / STD. The CLI applies the same."""
    return (x - MEAN) / STD


def slice_paths(name):
    return (os.path.join(DATA, f"fmnist-{name}-images-idx3-ubyte.gz"),
            os.path.join(DATA, f"fmnist-{name}-labels-idx1-ubyte.gz"))


def write_slices():
    os.makedirs(DATA, exist_ok=True)
    test_images, test_labels = load_split("test")
    train_images, train_labels = load_split("train")
    slices = {
        f"test-{TEST_SLICE}": (test_images[:TEST_SLICE], test_labels[:TEST_SLICE]),
        # The calibration images come from the end of the training set.
        f"train-{CALIBRATION_SLICE}": (train_images[-CALIBRATION_SLICE:], train_labels[-CALIBRATION_SLICE:]),
    }
    for name, (images, labels) in slices.items():
        images_path, labels_path = slice_paths(name)
        write_idx(images_path, images)
        write_idx(labels_path, labels)
        back_images, back_labels = read_idx(images_path), read_idx(labels_path)
        assert np.array_equal(back_images, images) and np.array_equal(back_labels, labels)
        print(f"wrote {name}: {images.shape[0]} images, labels {np.bincount(labels, minlength=10).tolist()}")


# ---------------------------------------------------------------- models

class Mlp(nn.Module):
    """784-1024-512-256-10 with ReLU, the fully connected network of the ARSVD paper."""

    def __init__(self, dropout=0.2):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Flatten(),
            nn.Linear(784, 1024), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(1024, 512), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(512, 256), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(256, 10))

    def forward(self, x):
        return self.layers(x)

    def fold_batch_norm(self):
        pass


class ConvBn(nn.Module):
    """A bias-free convolution followed by BatchNorm, foldable into one convolution."""

    def __init__(self, cin, cout, kernel, stride):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))

    def fold(self):
        self.conv = fuse_conv_bn_eval(self.conv, self.bn)
        self.bn = nn.Identity()


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.first = ConvBn(cin, cout, 3, stride)
        self.second = ConvBn(cout, cout, 3, 1)
        self.shortcut = ConvBn(cin, cout, 1, stride) if stride != 1 or cin != cout else None

    def forward(self, x):
        out = self.second(F.relu(self.first(x)))
        skip = x if self.shortcut is None else self.shortcut(x)
        return F.relu(out + skip)


class ResNet(nn.Module):
    """3x3 stem (1 input channel), three stages at 28, 14 and 7 pixels, global pool, linear head."""

    def __init__(self, width, blocks):
        super().__init__()
        self.stem = ConvBn(1, width, 3, 1)
        stages, cin = [], width
        for index, cout in enumerate([width, 2 * width, 4 * width]):
            for block in range(blocks):
                stride = 2 if index > 0 and block == 0 else 1
                stages.append(BasicBlock(cin, cout, stride))
                cin = cout
        self.stages = nn.Sequential(*stages)
        self.head = nn.Linear(cin, 10)

    def forward(self, x):
        x = self.stages(F.relu(self.stem(x)))
        return self.head(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

    def fold_batch_norm(self):
        for module in list(self.modules()):
            if isinstance(module, ConvBn):
                module.fold()


# ---------------------------------------------------------------- training

def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def augment(x, generator):
    """Random crop with 2 pixels of zero padding and random horizontal flip, on [0, 1] pixels."""
    n = x.shape[0]
    padded = F.pad(x, (2, 2, 2, 2))
    dy = torch.randint(0, 5, (n,), generator=generator)
    dx = torch.randint(0, 5, (n,), generator=generator)
    out = torch.empty_like(x)
    for oy in range(5):
        for ox in range(5):
            mask = (dy == oy) & (dx == ox)
            if mask.any():
                out[mask] = padded[mask, :, oy:oy + 28, ox:ox + 28]
    flip = torch.rand(n, generator=generator) < 0.5
    out[flip] = out[flip].flip(3)
    return out


@torch.no_grad()
def predict(model, x, batch=1000):
    model.eval()
    return torch.cat([model(normalise(x[i:i + batch])) for i in range(0, x.shape[0], batch)])


def correct(logits, labels):
    return int((logits.argmax(1) == labels).sum())


def accuracy(logits, labels):
    return correct(logits, labels) / labels.shape[0]


def train(model, recipe, train_x, train_y, test_x, test_y):
    generator = torch.Generator().manual_seed(SEED)
    steps_per_epoch = (train_x.shape[0] + recipe["batch"] - 1) // recipe["batch"]
    total_steps = recipe["epochs"] * steps_per_epoch
    if recipe["optimizer"] == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=recipe["lr"])
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, total_steps)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=recipe["lr"], momentum=0.9, nesterov=True,
                                    weight_decay=recipe["weight_decay"])
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=recipe["lr"], total_steps=total_steps,
                                                       pct_start=0.25)
    started = time.time()
    for epoch in range(recipe["epochs"]):
        model.train()
        order = torch.randperm(train_x.shape[0], generator=generator)
        loss_sum = 0.0
        for step in range(steps_per_epoch):
            index = order[step * recipe["batch"]:(step + 1) * recipe["batch"]]
            x = train_x[index]
            if recipe["augment"]:
                x = augment(x, generator)
            loss = F.cross_entropy(model(normalise(x)), train_y[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            loss_sum += loss.item()
        test_accuracy = accuracy(predict(model, test_x), test_y)
        print(f"epoch {epoch + 1}/{recipe['epochs']}: loss {loss_sum / steps_per_epoch:.4f}, "
              f"test {test_accuracy:.4f}, {time.time() - started:.0f} s", flush=True)
    return time.time() - started


# ---------------------------------------------------------------- ONNX check

def numpy_conv(x, w, b, strides, pads):
    """Conv2d with group 1, the reference against which the exported Conv weights are checked."""
    top, left, bottom, right = pads
    x = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    kh, kw = w.shape[2:]
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))
    windows = windows[:, :, ::strides[0], ::strides[1]]          # N, C, H', W', kh, kw
    out = np.tensordot(windows, w, axes=([1, 4, 5], [1, 2, 3]))   # N, H', W', M
    out = out.transpose(0, 3, 1, 2)
    return out + b.reshape(1, -1, 1, 1) if b is not None else out


def run_onnx_in_numpy(model, x):
    """Evaluates the few operators these exports use, independently of torch."""
    values = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    values[model.graph.input[0].name] = x
    for node in model.graph.node:
        inputs = [values[name] if name else None for name in node.input]
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "Conv":
            if attrs.get("group", 1) != 1 or any(d != 1 for d in attrs.get("dilations", [1, 1])):
                raise NotImplementedError("grouped or dilated Conv")
            out = numpy_conv(inputs[0], inputs[1], inputs[2] if len(inputs) > 2 else None,
                             attrs.get("strides", [1, 1]), attrs.get("pads", [0, 0, 0, 0]))
        elif node.op_type == "Relu":
            out = np.maximum(inputs[0], 0)
        elif node.op_type == "Add":
            out = inputs[0] + inputs[1]
        elif node.op_type == "GlobalAveragePool":
            out = inputs[0].mean(axis=(2, 3), keepdims=True)
        elif node.op_type == "Flatten":
            axis = attrs.get("axis", 1)
            out = inputs[0].reshape(int(np.prod(inputs[0].shape[:axis])), -1)
        elif node.op_type == "Gemm":
            a = inputs[0].T if attrs.get("transA", 0) else inputs[0]
            b = inputs[1].T if attrs.get("transB", 0) else inputs[1]
            out = attrs.get("alpha", 1.0) * (a @ b)
            if len(inputs) > 2:
                out = out + attrs.get("beta", 1.0) * inputs[2]
        elif node.op_type == "MatMul":
            out = inputs[0] @ inputs[1]
        else:
            raise NotImplementedError(node.op_type)
        values[node.output[0]] = out.astype(np.float32)
    return values[model.graph.output[0].name]


def export(model, name, recipe, train_seconds, test_x, test_y):
    """Folds BatchNorm, exports, checks the file and records provenance in its metadata."""
    model.eval()
    model.fold_batch_norm()
    test_logits = predict(model, test_x)
    full_accuracy = accuracy(test_logits, test_y)

    slice_images, slice_labels = (read_idx(p) for p in slice_paths(f"test-{TEST_SLICE}"))
    slice_x = normalise(to_unit_tensor(slice_images))
    slice_y = torch.from_numpy(slice_labels.astype(np.int64))
    with torch.no_grad():
        slice_logits = model(slice_x)
    slice_correct = correct(slice_logits, slice_y)

    path = os.path.join(MODELS, f"{name}.onnx")
    torch.onnx.export(model, slice_x[:1], path, opset_version=OPSET, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)

    exported = onnx.load(path)
    onnx.checker.check_model(exported, full_check=True)
    ops = sorted({n.op_type for n in exported.graph.node})
    if "BatchNormalization" in ops:
        raise RuntimeError(f"{path}: BatchNormalization survived folding")

    onnx_logits = np.concatenate([run_onnx_in_numpy(exported, slice_x[i:i + 250].numpy())
                                  for i in range(0, TEST_SLICE, 250)])
    max_difference = float(np.abs(onnx_logits - slice_logits.numpy()).max())
    onnx_slice_correct = int((onnx_logits.argmax(1) == slice_labels).sum())
    if max_difference > 1e-3 or onnx_slice_correct != slice_correct:
        raise RuntimeError(f"{path}: numpy evaluation of the ONNX graph differs from torch by {max_difference}")

    # Images whose two largest logits are this close may change class under another engine's rounding.
    top_two = slice_logits.topk(2, dim=1).values
    near_ties = int(((top_two[:, 0] - top_two[:, 1]) < 1e-3).sum())
    parameters = sum(int(np.prod(t.dims)) for t in exported.graph.initializer)
    metadata = {
        "dataset": "Fashion-MNIST (Debian dataset-fashion-mnist, 60,000 train / 10,000 test)",
        "script": "tools/train_reference_models.py",
        "seed": str(SEED),
        "recipe": json.dumps(recipe, sort_keys=True),
        "torch_version": torch.__version__,
        "onnx_opset": str(OPSET),
        "parameters": str(parameters),
        "operators": " ".join(ops),
        "normalisation": f"x = (pixel / 255 - {MEAN:.4f}) / {STD:.4f}",
        "accuracy_test_10000": f"{full_accuracy:.4f}",
        f"accuracy_test_{TEST_SLICE}": f"{slice_correct / TEST_SLICE:.4f}",
        f"correct_test_{TEST_SLICE}": str(slice_correct),
        f"near_ties_test_{TEST_SLICE}": str(near_ties),
        "max_abs_logit_difference_numpy_vs_torch": f"{max_difference:.2e}",
        "train_seconds": f"{train_seconds:.0f}",
        "train_machine": f"{platform.machine()}, {torch.get_num_threads()} threads",
    }
    for key, value in metadata.items():
        exported.metadata_props.add(key=key, value=value)
    exported.doc_string = f"{name}: Fashion-MNIST classifier, see models/README.md"
    onnx.checker.check_model(exported, full_check=True)
    onnx.save(exported, path)
    print(f"{path}: {os.path.getsize(path)} bytes, {parameters} parameters, ops {ops}, "
          f"test {full_accuracy:.4f}, slice {slice_correct / TEST_SLICE:.4f}, numpy-vs-torch {max_difference:.2e}")


RECIPES = {
    "mlp": {"optimizer": "adam", "lr": 1e-3, "batch": 128, "epochs": 10, "augment": False, "dropout": 0.2},
    "resnet": {"optimizer": "sgd", "lr": 0.1, "batch": 128, "epochs": 8, "augment": True,
               "weight_decay": 5e-4, "width": 32, "blocks": 2},
}


def build(name, recipe):
    if name == "mlp":
        return Mlp(recipe["dropout"])
    return ResNet(recipe["width"], recipe["blocks"])


def train_and_export(name, recipe):
    seed_everything(SEED)
    train_images, train_labels = load_split("train")
    test_images, test_labels = load_split("test")
    train_x, test_x = to_unit_tensor(train_images), to_unit_tensor(test_images)
    train_y = torch.from_numpy(train_labels.astype(np.int64))
    test_y = torch.from_numpy(test_labels.astype(np.int64))
    model = build(name, recipe)
    print(f"{name}: {sum(p.numel() for p in model.parameters())} trainable parameters, recipe {recipe}", flush=True)
    # The trained weights are kept (git-ignored) so that a re-export never needs a retrain.
    checkpoint_path = os.path.join(CHECKPOINTS, f"{name}.pt")
    checkpoint = torch.load(checkpoint_path) if os.path.exists(checkpoint_path) else None
    if checkpoint is not None and checkpoint["recipe"] == recipe and checkpoint["seed"] == SEED:
        model.load_state_dict(checkpoint["state"])
        seconds = checkpoint["train_seconds"]
        print(f"{name}: weights from {checkpoint_path}", flush=True)
    else:
        seconds = train(model, recipe, train_x, train_y, test_x, test_y)
        os.makedirs(CHECKPOINTS, exist_ok=True)
        torch.save({"recipe": recipe, "seed": SEED, "train_seconds": seconds, "state": model.state_dict()},
                   checkpoint_path)
    export(model, name, recipe, seconds, test_x, test_y)


# ---------------------------------------------------------------- README

def idx_header(path):
    with gzip.open(path, "rb") as f:
        head = f.read(16)
    magic, count = struct.unpack(">II", head[:8])
    return magic, count


def write_readme():
    lines = [
        "# Reference models and data",
        "",
        "Written by `tools/train_reference_models.py` (`/usr/bin/python3 tools/train_reference_models.py readme`",
        "regenerates this file from the models' ONNX metadata). Do not edit by hand.",
        "",
        "## Input and output",
        "",
        "Both models take `input`, float32 `[batch, 1, 28, 28]` (batch dimension named `batch`), and return",
        "`logits`, float32 `[batch, 10]` (no softmax). Pixels are the IDX bytes scaled to [0, 1] and then",
        "normalised with the Fashion-MNIST training mean and standard deviation:",
        "",
        "```",
        f"input = (pixel / 255 - {MEAN:.4f}) / {STD:.4f}",
        "```",
        "",
        "Class order: " + ", ".join(f"{i} {c}" for i, c in enumerate(CLASSES)) + ".",
        "",
        "BatchNorm is folded into the convolutions before export, so the graphs hold only",
        "Conv / Gemm / Relu / Add / GlobalAveragePool / Flatten. Each export is checked with",
        "`onnx.checker.check_model(full_check=True)` and by evaluating the ONNX graph in plain numpy",
        "on the 2,000-image slice against torch's logits.",
        "",
        "## Models",
        "",
    ]
    models = [name for name in RECIPES if os.path.exists(os.path.join(MODELS, f"{name}.onnx"))]
    for name in models:
        path = os.path.join(MODELS, f"{name}.onnx")
        model = onnx.load(path)
        meta = {p.key: p.value for p in model.metadata_props}
        description = ("MLP 784-1024-512-256-10 with ReLU (Flatten first; dropout 0.2 in training only), "
                       "in the spirit of the ARSVD paper's fully connected network."
                       if name == "mlp" else
                       "ResNet-style CNN: 3x3 stem conv (1 input channel), three stages of {blocks} basic residual "
                       "blocks each, {w1}, {w2} and {w3} channels at 28, 14 and 7 pixels (stride-2 3x3 conv and "
                       "1x1 projection shortcut at each downsampling), global average pool, Linear head."
                       .format(blocks=RECIPES[name]["blocks"], w1=RECIPES[name]["width"],
                               w2=2 * RECIPES[name]["width"], w3=4 * RECIPES[name]["width"]))
        lines += [
            f"### `{name}.onnx`",
            "",
            description,
            "",
            "| | |",
            "|---|---|",
            f"| file size | {os.path.getsize(path):,} bytes |",
            f"| parameters | {int(meta['parameters']):,} |",
            f"| operators | {meta['operators']} |",
            f"| accuracy, full test set (10,000) | {float(meta['accuracy_test_10000']) * 100:.2f}% |",
            f"| accuracy, test slice (first {TEST_SLICE:,}) | {float(meta[f'accuracy_test_{TEST_SLICE}']) * 100:.2f}% "
            f"({meta[f'correct_test_{TEST_SLICE}']} correct) |",
            f"| numpy evaluation of the ONNX graph vs torch, max abs logit difference | "
            f"{meta['max_abs_logit_difference_numpy_vs_torch']} |",
            f"| slice images whose top two logits differ by less than 1e-3 | "
            f"{meta[f'near_ties_test_{TEST_SLICE}']} |",
            f"| training recipe | `{meta['recipe']}` |",
            f"| seed | {meta['seed']} |",
            f"| training time | {int(meta['train_seconds']) / 60:.1f} min on {meta['train_machine']} |",
            f"| torch / ONNX opset | {meta['torch_version']} / {meta['onnx_opset']} |",
            "",
        ]
    lines += [
        "Training times are wall-clock on a 2-core machine shared with other work, so they overstate",
        "the compute. Accuracies are computed by torch on the BatchNorm-folded model, i.e. the exported weights;",
        "ONNX Runtime on the same file and slice should agree up to float rounding (an image whose two",
        "top logits are nearly tied may flip).",
        "",
        "## Models with subgraphs",
        "",
        "`subgraph/if_convs.onnx` is written by `tools/export_subgraph_models.py` (`/usr/bin/python3",
        "tools/export_subgraph_models.py`): a torch.jit.script module whose `if x.sum() > 0` becomes an ONNX If",
        "(opset 13), each branch two 3x3 Convs with ReLU (3 -> 32 -> 32 channels, or 3 -> 24 -> 24), a mean over",
        "the pixels and a Linear to 10 outputs; the branches read their weights from the main graph's",
        "initializers. Input `input` float32 `[batch, 3, 16, 16]`, output `logits` `[batch, 10]`; 69,262 bytes,",
        "torch 1.13. Untrained (seeded weights): tests compare the compressed model with the original on inputs",
        "of either sign. Checked by `onnx.checker` (full check) and for an If whose branches each hold two Convs",
        "and a Gemm.",
        "",
        "## Data",
        "",
        "Slices of Fashion-MNIST in the original IDX format, gzip-compressed (big-endian header:",
        "magic 2051 for images with count, rows, cols; magic 2049 for labels with count).",
        "",
        "| file | magic | count | content |",
        "|---|---|---|---|",
    ]
    contents = {
        f"test-{TEST_SLICE}": f"the first {TEST_SLICE:,} images/labels of `t10k` (indices 0..{TEST_SLICE - 1})",
        f"train-{CALIBRATION_SLICE}": f"the last {CALIBRATION_SLICE} images/labels of `train` "
                                      f"(indices {60000 - CALIBRATION_SLICE}..59999), for calibration",
    }
    for name, content in contents.items():
        for path in slice_paths(name):
            magic, count = idx_header(path)
            lines.append(f"| `data/{os.path.basename(path)}` | {magic} | {count:,} | {content} |")
    lines += [
        "",
        "Source: Debian package `dataset-fashion-mnist`, `/usr/share/datasets/fashion-mnist/`",
        "(Fashion-MNIST by Zalando Research, MIT licence).",
        "",
        "## Real-model corpus: `corpus/`",
        "",
        "Written by `tools/export_corpus_models.py` (`/usr/bin/python3 tools/export_corpus_models.py`, Debian's",
        "torch 1.13, seed 20261207), not by this script. Small architectures met in practice, exported as torch",
        "exports them, for `tests/OnnxLowRank.Cli.Tests/Corpus` and the bench's corpus section",
        "([docs/reliability.md](../docs/reliability.md), \"Real-model corpus\"). Each folder holds `model.onnx` and",
        "`test_data_set_0/` (ONNX's test-data layout: `input_N.pb`, and torch's own outputs on them as `output_N.pb`).",
        "Weights are random with a power-law singular spectrum, s_i proportional to (i + 1)^-1.5, so that low-rank",
        "layers can be close to them, as in trained networks; each model is checked with `onnx.checker` (full check).",
        "",
        "| folder | what | inputs (symbolic dimensions) | opset | file size |",
        "|---|---|---|---|---|",
        "| `corpus/streaming_gru/` | streaming audio: Conv1d front end over 40 mel bins, a GRU cell stepped over the frames by a `torch.jit.script` loop (ONNX `Loop` whose body holds a `Gemm`), Linear head; state in and out | `features` [1, 40, time], `state` [1, 64] | 13 | 422,642 bytes |",
        "| `corpus/reflect_pad_tcn/` | temporal conv net: reflect `Pad` on the time axis before each Conv1d, per-frame Linear; cannot run with fewer frames than it pads | `spectrogram` [batch, 80, time] | 13 | 652,202 bytes |",
        "| `corpus/attention_block/` | transformer encoder block: token embedding, `LayerNormalization`, 4-head attention as MatMuls with a padding mask, GELU feed-forward, Linear head | `input_ids`, `attention_mask` int64 [batch, sequence] | 17 | 935,315 bytes |",
        "",
    ]
    # The text splits and the causal model are written by their own scripts, each with its README; copied in here,
    # headings one level down, so this file stays the one place to read about everything under models/.
    for part in [os.path.join(DATA, "text", "README.md"), os.path.join(MODELS, "causal", "README.md")]:
        if os.path.exists(part):
            with open(part) as f:
                lines += ["#" + l if l.startswith("#") else l for l in f.read().splitlines()] + [""]
    with open(os.path.join(MODELS, "README.md"), "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {os.path.join(MODELS, 'README.md')}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="*", default=["slices", "mlp", "resnet", "readme"],
                        choices=["slices", "mlp", "resnet", "readme"])
    args = parser.parse_args()
    torch.set_num_threads(2)
    for what in args.what:
        if what == "slices":
            write_slices()
        elif what == "readme":
            write_readme()
        else:
            train_and_export(what, RECIPES[what])


if __name__ == "__main__":
    sys.exit(main())

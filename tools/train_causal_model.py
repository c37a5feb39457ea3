#!/usr/bin/python3
"""Trains the small GPT-style causal language model models/causal/tiny-gpt.onnx.

Run with Debian's interpreter (python3-torch 1.13, python3-onnx 1.12), after the text splits, the
vocabulary and the token ids (tools/README.md, "The causal model", lists the whole sequence):

    /usr/bin/python3 tools/train_causal_model.py [--ids models/cache/ids]

The model reads the ids the tool's own tokenizer wrote (tools/TokenIds): train-128.npy for training,
dev-64.npy for the dev loss and test-64.npy for the held-out perplexity, each an int64 [lines, tokens]
array, [CLS] first, [SEP] after the last token, [PAD] (0) after that. It learns to predict every
token after [CLS], [SEP] included; positions after [SEP] carry no loss.

Architecture: token embedding E (vocab x d) plus a learned position embedding, N pre-LayerNorm
blocks (causal self-attention with one fused qkv Linear d -> 3d and an output projection; a GELU MLP
d -> 4d -> d), a final LayerNorm and an output head tied to the token embedding: logits = h @ E^T.
The export takes input_ids int64 [batch, sequence] and returns logits float32 [batch, sequence, vocab].
"""

import argparse
import json
import math
import os
import platform
import random
import time

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "models", "causal", "tiny-gpt.onnx")
SEED = 20261207
CHECKPOINT = os.path.join(REPO, "models", "cache", "causal", "tiny-gpt.pt")
# Sized for a 2-core machine shared with other work: one pass over the training split takes minutes, not hours.
# Under one epoch, dropout buys nothing.
RECIPE = {"d": 128, "heads": 4, "blocks": 2, "positions": 128, "dropout": 0.0, "batch": 64, "epochs": 1,
          "lr": 3e-3, "warmup_steps": 100, "weight_decay": 0.01, "optimizer": "adamw", "schedule": "cosine"}
OPSET = 14
# The reference figure: held-out perplexity over the first lines of test.txt, cut at 64 tokens.
HELD_OUT_LINES = 500


class Block(nn.Module):
    def __init__(self, d, heads, positions, dropout):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.up = nn.Linear(d, 4 * d)
        self.down = nn.Linear(4 * d, d)
        self.drop = nn.Dropout(dropout)
        # Position i may attend to positions 0..i; sliced to the sequence length, so any length up to `positions` runs.
        self.register_buffer("future", torch.triu(torch.ones(positions, positions, dtype=torch.bool), 1), persistent=False)

    def attention(self, x):
        b, s, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=2)
        q, k, v = (t.reshape(b, s, self.heads, d // self.heads).transpose(1, 2) for t in (q, k, v))
        scores = (q @ k.transpose(2, 3)) / math.sqrt(d // self.heads)
        scores = scores.masked_fill(self.future[:s, :s], float("-inf"))
        mixed = self.drop(F.softmax(scores, dim=-1)) @ v
        return self.proj(mixed.transpose(1, 2).reshape(b, s, d))

    def forward(self, x):
        x = x + self.drop(self.attention(self.ln1(x)))
        return x + self.drop(self.down(F.gelu(self.up(self.ln2(x)))))


class TinyGpt(nn.Module):
    def __init__(self, vocab, d, heads, blocks, positions, dropout):
        super().__init__()
        self.tokens = nn.Embedding(vocab, d)
        self.positions = nn.Embedding(positions, d)
        self.blocks = nn.ModuleList(Block(d, heads, positions, dropout) for _ in range(blocks))
        self.ln = nn.LayerNorm(d)
        self.drop = nn.Dropout(dropout)
        nn.init.normal_(self.tokens.weight, std=0.02)
        nn.init.normal_(self.positions.weight, std=0.02)

    def forward(self, input_ids):
        s = input_ids.shape[1]
        x = self.drop(self.tokens(input_ids) + self.positions(torch.arange(s, device=input_ids.device)))
        for block in self.blocks:
            x = block(x)
        # The tied head: the token embedding's transpose, no weight of its own.
        return self.ln(x) @ self.tokens.weight.t()


def lengths(ids):
    """Tokens per row: [PAD] (0) never occurs inside a row, only after it."""
    return (ids != 0).sum(axis=1)


def batches(ids, batch, rng):
    """Batches of rows of similar length (less padding), the batch order shuffled."""
    order = list(range(len(ids)))
    rng.shuffle(order)
    n = lengths(ids)
    pool = batch * 50
    chunks = []
    for start in range(0, len(order), pool):
        group = sorted(order[start:start + pool], key=lambda i: n[i])
        chunks += [group[i:i + batch] for i in range(0, len(group), batch)]
    rng.shuffle(chunks)
    for rows in chunks:
        width = int(n[rows].max())
        yield torch.from_numpy(ids[rows, :width])


def token_loss(model, x):
    """Summed negative log-likelihood of each token after the first, padding excluded, and the token count."""
    logits = model(x[:, :-1])
    target = x[:, 1:]
    nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), reduction="none")
    keep = (target != 0).reshape(-1)
    return nll[keep].sum(), int(keep.sum())


@torch.no_grad()
def evaluate(model, ids, batch=128):
    model.eval()
    total, count = 0.0, 0
    n = lengths(ids)
    for start in range(0, len(ids), batch):
        rows = ids[start:start + batch]
        nll, c = token_loss(model, torch.from_numpy(rows[:, :int(n[start:start + batch].max())]))
        total += float(nll)
        count += c
    return total / count, count


def onnx_perplexity(path, ids):
    """Perplexity of the exported graph, run in plain numpy, one line at a time (no padding at all)."""
    from onnx_numpy import run_model
    model = onnx.load(path)
    total, count = 0.0, 0
    for row in ids:
        row = row[row != 0]
        logits = run_model(model, {"input_ids": row[None, :-1]})["logits"][0].astype(np.float64)
        top = logits.max(axis=1, keepdims=True)
        log_probs = logits - top - np.log(np.exp(logits - top).sum(axis=1, keepdims=True))
        total -= log_probs[np.arange(len(row) - 1), row[1:]].sum()
        count += len(row) - 1
    return math.exp(total / count), count


def share_head_table(model):
    """Puts the tie back into the graph: the head MatMul reads Transpose(E) of the Gather's table E.

    Constant folding, which turns each Linear's Transpose(W) into a transposed initializer (the MatMul weights the
    tool factorizes), also turns the head's Transpose(E) into a second, transposed copy of E: the tie would be lost
    and the file 2 MB larger. The copy is checked to be E^T exactly, dropped, and computed from E again.
    """
    graph = model.graph
    initializers = {i.name: i for i in graph.initializer}
    head = next(n for n in graph.node if graph.output[0].name in n.output)
    copy = initializers[head.input[1]]
    table = next(n.input[0] for n in graph.node if n.op_type == "Gather" and n.input[0] in initializers
                 and list(initializers[n.input[0]].dims) == list(reversed(copy.dims)))
    if not np.array_equal(numpy_helper.to_array(copy), numpy_helper.to_array(initializers[table]).T):
        raise RuntimeError(f"the head's weight {copy.name} is not the transpose of the embedding table {table}")
    graph.initializer.remove(copy)
    transpose = onnx.helper.make_node("Transpose", [table], [copy.name], name="/head/Transpose", perm=[1, 0])
    graph.node.insert(list(graph.node).index(head), transpose)


def tie_in_graph(path):
    """How the tied head shows in the graph: which initializers the embedding Gather and the head MatMul read."""
    graph = onnx.load(path).graph
    initializers = {i.name: i for i in graph.initializer}
    producers = {o: n for n in graph.node for o in n.output}
    gathers = [n for n in graph.node if n.op_type == "Gather" and n.input[0] in initializers
               and initializers[n.input[0]].dims[0] > RECIPE["positions"]]
    head = producers[graph.output[0].name]
    weight = head.input[1]
    source = producers[weight] if weight in producers else None
    return {"gather_table": gathers[0].input[0], "head_op": head.op_type, "head_weight": weight,
            "head_weight_from": f"{source.op_type}({', '.join(source.input)})" if source else "initializer",
            "tables": sum(1 for i in initializers.values() if list(i.dims) in
                          ([4096, RECIPE["d"]], [RECIPE["d"], 4096]))}


def fit(model, train, dev):
    r = RECIPE
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and "positions" not in n]
    rest = [p for n, p in model.named_parameters() if not (p.dim() == 2 and "positions" not in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": r["weight_decay"]},
                                   {"params": rest, "weight_decay": 0.0}], lr=r["lr"])
    steps = r["epochs"] * math.ceil(len(train) / r["batch"])
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / r["warmup_steps"])
                                                 * 0.5 * (1 + math.cos(math.pi * min(s, steps) / steps)))
    rng = random.Random(SEED)
    started = time.time()
    history = []
    for epoch in range(r["epochs"]):
        model.train()
        total, count = 0.0, 0
        for step, x in enumerate(batches(train, r["batch"], rng)):
            nll, c = token_loss(model, x)
            optimizer.zero_grad()
            (nll / c).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            total += float(nll)
            count += c
            if step % 50 == 0:
                print(f"step {step}: loss {float(nll) / c:.3f}, {time.time() - started:.0f} s", flush=True)
        dev_loss, _ = evaluate(model, dev)
        history.append({"epoch": epoch + 1, "train_loss": round(total / count, 4), "dev_loss": round(dev_loss, 4),
                        "dev_perplexity": round(math.exp(dev_loss), 2)})
        print(history[-1], f"{time.time() - started:.0f} s", flush=True)
    return history, time.time() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ids", default=os.path.join(REPO, "models", "cache", "ids"))
    parser.add_argument("--vocab", default=os.path.join(REPO, "models", "causal", "vocab.txt"))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    train = np.load(os.path.join(args.ids, "train-128.npy"))
    dev = np.load(os.path.join(args.ids, "dev-64.npy"))
    test = np.load(os.path.join(args.ids, "test-64.npy"))[:HELD_OUT_LINES]
    with open(args.vocab, encoding="utf-8") as f:
        vocab = sum(1 for _ in f)
    r = RECIPE
    model = TinyGpt(vocab, r["d"], r["heads"], r["blocks"], r["positions"], r["dropout"])
    saved = torch.load(CHECKPOINT) if os.path.exists(CHECKPOINT) else None
    if saved is not None and saved["recipe"] == r and saved["seed"] == SEED and saved["train_lines"] == len(train):
        model.load_state_dict(saved["state"])
        history, seconds = saved["history"], saved["train_seconds"]
        print(f"loaded {CHECKPOINT}")
    else:
        history, seconds = fit(model, train, dev)
        os.makedirs(os.path.dirname(CHECKPOINT), exist_ok=True)
        torch.save({"recipe": r, "seed": SEED, "train_lines": len(train), "history": history,
                    "train_seconds": seconds, "state": model.state_dict()}, CHECKPOINT)

    model.eval()
    dev_loss, dev_tokens = evaluate(model, dev)
    test_loss, test_tokens = evaluate(model, test)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    torch.onnx.export(model, torch.from_numpy(dev[:2, :8]), OUT, opset_version=OPSET, do_constant_folding=True,
                      input_names=["input_ids"], output_names=["logits"],
                      dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "logits": {0: "batch", 1: "sequence"}})
    exported = onnx.load(OUT)
    share_head_table(exported)
    onnx.checker.check_model(exported, full_check=True)
    onnx.save(exported, OUT)
    onnx_ppl, onnx_tokens = onnx_perplexity(OUT, test)
    tie = tie_in_graph(OUT)
    meta = {
        "recipe": json.dumps(r, sort_keys=True), "seed": str(SEED), "vocabulary": str(vocab),
        "parameters": str(sum(p.numel() for p in model.parameters())),
        "train_lines": str(len(train)), "train_tokens": str(int(lengths(train).sum())),
        "train_loss_epoch_mean": f"{history[-1]['train_loss']:.4f}", "dev_loss": f"{dev_loss:.4f}", "dev_perplexity": f"{math.exp(dev_loss):.3f}",
        "dev_predicted_tokens": str(dev_tokens), "history": json.dumps(history),
        "held_out_lines": str(HELD_OUT_LINES), "held_out_predicted_tokens": str(test_tokens),
        "held_out_perplexity_torch": f"{math.exp(test_loss):.4f}",
        "held_out_perplexity_onnx_numpy": f"{onnx_ppl:.4f}",
        "tie": json.dumps(tie, sort_keys=True),
        "train_seconds": f"{seconds:.0f}", "train_machine": f"{platform.machine()}, {args.threads} threads",
        "torch_version": torch.__version__, "onnx_opset": str(OPSET),
    }
    for key, value in meta.items():
        exported.metadata_props.add(key=key, value=value)
    exported.doc_string = "tiny-gpt: causal language model of Debian package descriptions, see models/README.md"
    onnx.save(exported, OUT)
    assert onnx_tokens == test_tokens, (onnx_tokens, test_tokens)
    print(json.dumps(meta, indent=1))
    print(f"wrote {OUT}, {os.path.getsize(OUT):,} bytes")
    write_readme(OUT)


def write_readme(path):
    """models/causal/README.md from the model's metadata; tools/train_reference_models.py copies it into models/README.md."""
    model = onnx.load(path)
    meta = {p.key: p.value for p in model.metadata_props}
    tie = json.loads(meta["tie"])
    recipe = json.loads(meta["recipe"])
    operators = " ".join(sorted({n.op_type for n in model.graph.node}))
    text = f"""# The causal language model

Written by `tools/train_causal_model.py` from the model's ONNX metadata. Do not edit by hand.

`tiny-gpt.onnx`: a GPT-style decoder trained on the training split of the Debian package descriptions
(models/data/text/README.md) with the ids the tool's own tokenizer writes for them (`tools/TokenIds`, through
`TokenizerFile` and `vocab.txt`). Input `input_ids`, int64 `[batch, sequence]` (both axes symbolic, sequence at most
{recipe['positions']}); output `logits`, float32 `[batch, sequence, {meta['vocabulary']}]`: position t scores the token at t + 1.
No attention mask input: attention is causal, so padding after a line's last token changes none of its logits.

Architecture: token embedding E ({meta['vocabulary']} x {recipe['d']}) plus a learned position embedding ({recipe['positions']} x {recipe['d']}),
{recipe['blocks']} pre-LayerNorm blocks (causal self-attention, {recipe['heads']} heads, with one fused qkv Linear {recipe['d']} -> {3 * recipe['d']} and an output
projection; a GELU MLP {recipe['d']} -> {4 * recipe['d']} -> {recipe['d']}), a final LayerNorm and the head tied to E: logits = h @ E^T.

The tie in the graph: the embedding Gather reads initializer `{tie['gather_table']}`, and the head is a
`{tie['head_op']}` whose weight `{tie['head_weight']}` is computed by `{tie['head_weight_from']}`; the file holds
{tie['tables']} copy of the table. (torch's constant folding writes the head's weight as a second, transposed copy
of E; the export script checks that copy equals E^T and replaces it by the Transpose node. The Linear layers' weights
are folded: each is a MatMul against a [in, out] initializer, followed by an Add of its bias.)

The vocabulary, `vocab.txt` ({meta['vocabulary']} WordPiece entries, `tools/build_wordpiece_vocab.py`), holds [PAD] [UNK] [CLS]
[SEP] [MASK] (ids 0..4), so the tool reads it with Microsoft.ML.Tokenizers' BertTokenizer: lower-cased (no entry has an
upper-case letter), accents stripped, punctuation split off, and [CLS] before and [SEP] after every line. The model
uses them as begin and end of text: it is trained to predict each token after [CLS], [SEP] included; [PAD] (0)
follows [SEP] and carries no loss. `--max-tokens N` keeps [CLS], the first N - 2 word pieces and [SEP].

| | |
|---|---|
| file size | {os.path.getsize(path):,} bytes |
| parameters | {int(meta['parameters']):,} |
| operators | {operators} |
| training split | {int(meta['train_lines']):,} lines, {int(meta['train_tokens']):,} tokens (ids cut at 128 tokens) |
| training recipe | `{meta['recipe']}` |
| seed | {meta['seed']} |
| train loss (mean over the epoch, nats a token) | {meta['train_loss_epoch_mean']} |
| dev loss / perplexity (dev.txt, all {meta['dev_predicted_tokens']} predicted tokens, cut at 64) | {meta['dev_loss']} / {float(meta['dev_perplexity']):.2f} |
| **held-out perplexity** (test.txt, first {meta['held_out_lines']} lines, cut at 64 tokens) | **{float(meta['held_out_perplexity_onnx_numpy']):.3f}** |
| the same in torch | {float(meta['held_out_perplexity_torch']):.3f} |
| training time | {int(meta['train_seconds']) / 60:.1f} min on {meta['train_machine']} |
| torch / ONNX opset | {meta['torch_version']} / {meta['onnx_opset']} |

Perplexity is exp of the mean negative log-likelihood over all predicted tokens pooled (not a mean of per-line
perplexities): for each line, ids from `TokenIds ... --max-tokens 64`, the logits at positions 0..n-2 scored against
the tokens at 1..n-1 ([SEP] included, [CLS] never predicted), natural log, softmax over the whole vocabulary.
The held-out figure ({meta['held_out_predicted_tokens']} predicted tokens) is computed from the exported file, run in plain numpy
(`tools/onnx_numpy.py`), one line at a time without padding; a tool computing it must agree up to float rounding.
"""
    with open(os.path.join(os.path.dirname(path), "README.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes English text splits from Debian package descriptions (`apt-cache dumpavail`).

    /usr/bin/python3 tools/make_text_splits.py [--train-out models/cache/text/train.txt]

One description a line: the `Description:` synopsis joined with its continuation lines (the " ."
paragraph marks dropped, white space collapsed). Descriptions that are not plain English text (under
95% ASCII) or shorter than MIN_WORDS words are dropped, and duplicates are dropped by their lower-cased
form, since the tokenizer lower-cases: two splits never share a line the model would see as the same.
The sorted descriptions are shuffled with a fixed seed and cut, in this order, into calibration, dev,
held-out test and training splits, so the splits are disjoint and the same package lists give the
same files. The three small splits go to models/data/text/ (committed) with a README.md recording the
provenance; the training split, the rest, goes to models/cache/ (not committed).
"""

import argparse
import datetime
import hashlib
import os
import random
import re
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEXT = os.path.join(REPO, "models", "data", "text")
SEED = 20261207
MIN_WORDS = 4
SPLITS = [("calibration", 1024), ("dev", 1000), ("test", 2000)]


def descriptions(dump):
    """Each package's description, its synopsis and continuation lines on one line."""
    current = None
    for line in dump.splitlines():
        if line.startswith("Description:"):
            if current is not None:
                yield " ".join(current)
            current = [line[len("Description:"):].strip()]
        elif current is not None and line.startswith(" "):
            if line.strip() != ".":
                current.append(line.strip())
        elif current is not None:
            yield " ".join(current)
            current = None
    if current is not None:
        yield " ".join(current)


def is_english_text(text):
    ascii_share = sum(1 for c in text if c.isascii()) / len(text)
    return ascii_share >= 0.95 and len(text.split()) >= MIN_WORDS


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train-out", default=os.path.join(REPO, "models", "cache", "text", "train.txt"))
    args = parser.parse_args()

    dump = subprocess.run(["apt-cache", "dumpavail"], check=True, capture_output=True, text=True).stdout
    raw = [re.sub(r"\s+", " ", d).strip() for d in descriptions(dump)]
    kept, seen = [], set()
    for text in sorted(t for t in raw if t and is_english_text(t)):
        key = text.lower()
        if key not in seen:
            seen.add(key)
            kept.append(text)
    random.Random(SEED).shuffle(kept)

    os.makedirs(TEXT, exist_ok=True)
    start, counts = 0, {}
    for name, count in SPLITS:
        with open(os.path.join(TEXT, f"{name}.txt"), "w", encoding="utf-8") as f:
            f.writelines(t + "\n" for t in kept[start:start + count])
        counts[name] = count
        start += count
    os.makedirs(os.path.dirname(args.train_out), exist_ok=True)
    with open(args.train_out, "w", encoding="utf-8") as f:
        f.writelines(t + "\n" for t in kept[start:])
    counts["train"] = len(kept) - start

    with open("/etc/debian_version") as f:
        release = f.read().strip()
    with open("/etc/os-release") as f:
        codename = dict(l.rstrip("\n").split("=", 1) for l in f if "=" in l).get("VERSION_CODENAME", "unknown")
    sha = hashlib.sha256(dump.encode("utf-8")).hexdigest()
    rows = "\n".join(f"| `{n}.txt` | {counts[n]:,} | {purpose} |" for n, purpose in [
        ("calibration", "data-aware compression (calibration activations)"),
        ("dev", "tuning: choosing ranks, thresholds and test bounds"),
        ("test", "held-out figures only (perplexity in models/README.md)")])
    readme = f"""# Text splits

Written by `tools/make_text_splits.py`. Do not edit by hand.

Source: Debian package descriptions from `apt-cache dumpavail` on {datetime.date.today().isoformat()}, Debian
{release} ({codename}) package lists, {len(raw):,} descriptions (sha256 of the dump `{sha[:16]}...`). One
description a line: the `Description:` synopsis with its continuation lines joined (most packages carry only
the synopsis in these lists). Kept: English text (95% ASCII or more) of {MIN_WORDS} words or more, duplicates
removed by lower-cased form: {len(kept):,} lines. Shuffled with seed {SEED} and cut in the order below, so the
splits are disjoint (no two share a line, compared lower-cased); near-duplicates remain, e.g. synopses of one
source package's binaries ("... - development files", "... - libraries").

| file | lines | use |
|---|---|---|
{rows}

The training split of the causal model ({counts['train']:,} lines, the rest) is not committed; the script
writes it to `models/cache/text/train.txt`.
"""
    with open(os.path.join(TEXT, "README.md"), "w") as f:
        f.write(readme)
    print(counts, f"{len(raw)} descriptions, {len(kept)} kept")


if __name__ == "__main__":
    main()

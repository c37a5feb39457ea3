#!/usr/bin/python3
"""Builds the causal model's WordPiece vocabulary from the training split.

    /usr/bin/python3 tools/build_wordpiece_vocab.py [--text models/cache/text/train.txt] [--size 4096]

Writes models/causal/vocab.txt: [PAD] [UNK] [CLS] [SEP] [MASK] (ids 0..4), every character of the
training text and its "##" continuation, then pieces learnt by merging the most frequent adjacent pair
of pieces inside words (byte-pair-encoding style, counted over word frequencies) until the size is
reached. Words are split as BERT's basic tokenizer splits them (lower-cased, accents stripped, each
punctuation character apart), since the tool reads a vocabulary holding all five special tokens with
Microsoft.ML.Tokenizers' BertTokenizer: lower-casing, as no token has an upper-case letter, and [CLS]
and [SEP] around each line, which the causal model uses as its begin and end of text.
"""

import argparse
import collections
import os
import unicodedata

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
# A character must occur this often to get its own entry; rarer ones become [UNK], as in BERT vocabularies.
MIN_CHAR_COUNT = 3


def is_punctuation(c):
    o = ord(c)
    return 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126 or unicodedata.category(c).startswith("P")


def basic_words(line):
    """BERT's basic tokenization: lower-case, strip accents, split on white space and around punctuation."""
    text = "".join(c for c in unicodedata.normalize("NFD", line.lower()) if unicodedata.category(c) != "Mn")
    words = []
    for chunk in text.split():
        word = ""
        for c in chunk:
            if is_punctuation(c):
                if word:
                    words.append(word)
                words.append(c)
                word = ""
            else:
                word += c
        if word:
            words.append(word)
    return words


def learn_pieces(word_counts, alphabet, budget):
    """Merges the most frequent adjacent pair of pieces, word frequencies counted, `budget` times."""
    words = [[w[0]] + ["##" + c for c in w[1:]] for w in word_counts]
    counts = list(word_counts.values())
    pairs = collections.Counter()
    where = collections.defaultdict(set)
    for i, pieces in enumerate(words):
        for a, b in zip(pieces, pieces[1:]):
            pairs[a, b] += counts[i]
            where[a, b].add(i)
    learnt = []
    while len(learnt) < budget and pairs:
        # Ties broken by the pair itself, so the vocabulary does not depend on hash order.
        (a, b), count = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        if count < 2:
            break
        merged = a + b[2:]
        if merged not in alphabet:
            learnt.append(merged)
        for i in list(where[a, b]):
            pieces = words[i]
            for x, y in zip(pieces, pieces[1:]):
                pairs[x, y] -= counts[i]
                where[x, y].discard(i)
            j, out = 0, []
            while j < len(pieces):
                if j + 1 < len(pieces) and pieces[j] == a and pieces[j + 1] == b:
                    out.append(merged)
                    j += 2
                else:
                    out.append(pieces[j])
                    j += 1
            words[i] = out
            for x, y in zip(out, out[1:]):
                pairs[x, y] += counts[i]
                where[x, y].add(i)
        for key in [k for k, v in pairs.items() if v <= 0]:
            del pairs[key]
    return learnt


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--text", default=os.path.join(REPO, "models", "cache", "text", "train.txt"))
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--out", default=os.path.join(REPO, "models", "causal", "vocab.txt"))
    args = parser.parse_args()

    word_counts = collections.Counter()
    with open(args.text, encoding="utf-8") as f:
        for line in f:
            word_counts.update(basic_words(line))
    chars = collections.Counter()
    for word, count in word_counts.items():
        for c in word:
            chars[c] += count
    alphabet = sorted(c for c, n in chars.items() if n >= MIN_CHAR_COUNT)
    base = SPECIAL + alphabet + ["##" + c for c in alphabet]
    # Words with a rare character would merge into pieces that need it; the tokenizer maps them to [UNK] anyway.
    usable = collections.Counter({w: n for w, n in word_counts.items() if all(c in alphabet for c in w)})
    vocab = base + learn_pieces(usable, set(base), args.size - len(base))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.writelines(t + "\n" for t in vocab)
    print(f"{len(vocab)} tokens ({len(alphabet)} characters) from {sum(word_counts.values()):,} words, "
          f"{len(word_counts):,} distinct, written to {args.out}")


if __name__ == "__main__":
    main()

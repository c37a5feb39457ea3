#!/usr/bin/env bash
# How much a transformer keeps of itself when compressed, weight-only (alds) and data-aware (auto with
# calibration), at several keep-params fractions, on held-out English text; and the compression time of each.
#
#   bash tools/transformer_quality.sh minilm [KEEP...]     all-MiniLM-L6-v2: mean-pooled and token cosine
#   bash tools/transformer_quality.sh tiny-gpt [KEEP...]   models/causal/tiny-gpt.onnx: perplexity before and after
#
# KEEP defaults to 0.5 0.7 0.8 0.9 0.95 (minilm) and 0.7 0.8 0.9 (tiny-gpt). MiniLM comes from tools/fetch_minilm.sh
# (models/cache/minilm/). Text: models/data/text/ (Debian package descriptions, disjoint splits): calibration.txt (512
# lines of at most 64 tokens) for data-aware compression, test.txt (all 2000 held-out lines; at most 128 tokens for
# MiniLM, 64 for the causal model, which was trained on 64) for the figures. Prints a Markdown table; the reports stay
# in $OUT (default artifacts/transformer-quality/). Needs dotnet and python3.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
which_model="${1:?give minilm or tiny-gpt}"
shift
case "$which_model" in
    minilm)
        bash "$root/tools/fetch_minilm.sh" > /dev/null
        model="$root/models/cache/minilm/model.onnx"
        vocab="$root/models/cache/minilm/vocab.txt"
        test_tokens=128
        default_keeps="0.5 0.7 0.8 0.9 0.95"
        echo "| keep-params | method | compress s | mean-pooled cosine | token cosine | top-10 neighbours kept | speedup |"
        ;;
    tiny-gpt)
        model="$root/models/causal/tiny-gpt.onnx"
        vocab="$root/models/causal/vocab.txt"
        test_tokens=64
        default_keeps="0.7 0.8 0.9"
        echo "| keep-params | method | compress s | perplexity before | perplexity after | next-token agreement |"
        ;;
    *) echo "give minilm or tiny-gpt" >&2; exit 2 ;;
esac
[[ $which_model == minilm ]] && echo "|---|---|---|---|---|---|---|" || echo "|---|---|---|---|---|---|"
read -r -a keeps <<< "${*:-$default_keeps}"
out="${OUT:-$root/artifacts/transformer-quality}"
mkdir -p "$out"
text="$root/models/data/text"
dotnet build -c Release "$root/src/OnnxLowRank.Cli" > /dev/null
cli=(dotnet "$root/src/OnnxLowRank.Cli/bin/Release/net10.0/onnx-lowrank.dll")

since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(date +%s.%N)"; }

for keep in "${keeps[@]}"; do
    for variant in weight-only data-aware; do
        compressed="$out/$which_model-$variant-$keep.onnx"
        if [[ $variant == weight-only ]]; then
            args=(--method alds)
        else
            args=(--calibration "$text/calibration.txt" --calibration-limit 512 --tokenizer "$vocab" --max-tokens 64)
        fi
        start=$(date +%s.%N)
        "${cli[@]}" compress "$model" -o "$compressed" --keep-params "$keep" "${args[@]}" --quiet
        took=$(since "$start")
        report="$out/diff-$which_model-$variant-$keep.json"
        "${cli[@]}" diff "$model" "$compressed" --data "$text/test.txt" --tokenizer "$vocab" --max-tokens "$test_tokens" \
            --report "$report" --quiet
        python3 - "$report" "$keep" "$variant" "$took" <<'PY'
import json, sys
comparison = json.load(open(sys.argv[1]))["comparison"]
tokens = next(o["tokens"] for o in comparison["outputs"] if o.get("tokens"))
row = [sys.argv[2], sys.argv[3], sys.argv[4]]
if tokens["kind"] == "embedding":
    speedup = comparison["speedup"]
    row += [f"{tokens['meanPooledCosine']:.4f}", f"{tokens['tokenCosine']:.4f}", f"{tokens['neighbourOverlap']:.1%}",
            f"{speedup:.2f}x" if speedup else "not measured"]
else:
    row += [f"{tokens['originalPerplexity']:.2f}", f"{tokens['compressedPerplexity']:.2f}", f"{tokens['nextTokenAgreement']:.1%}"]
print("| " + " | ".join(row) + " |")
PY
    done
done

#!/usr/bin/env bash
# Mean-pooled cosine of all-MiniLM-L6-v2 against its compressed versions on held-out English text, weight-only
# (alds) and data-aware (auto with calibration), at several keep-params fractions; the compression time of each.
#
#   bash tools/transformer_quality.sh [KEEP...]        (default 0.5 0.7 0.8 0.9 0.95)
#
# Model: tools/fetch_minilm.sh (models/cache/minilm/). Text: models/data/text/ (Debian package descriptions,
# disjoint splits): calibration.txt (512 lines of at most 64 tokens) for data-aware compression, test.txt (all 2000
# held-out lines, at most 128 tokens) for the figures. Prints a Markdown table; the reports stay in $OUT
# (default artifacts/transformer-quality/). Needs dotnet and python3.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${OUT:-$root/artifacts/transformer-quality}"
keeps=("${@:-0.5 0.7 0.8 0.9 0.95}")
read -r -a keeps <<< "${keeps[*]}"
mkdir -p "$out"

bash "$root/tools/fetch_minilm.sh" > /dev/null
model="$root/models/cache/minilm/model.onnx"
vocab="$root/models/cache/minilm/vocab.txt"
text="$root/models/data/text"
dotnet build -c Release "$root/src/OnnxLowRank.Cli" > /dev/null
cli=(dotnet "$root/src/OnnxLowRank.Cli/bin/Release/net10.0/onnx-lowrank.dll")

since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(date +%s.%N)"; }

echo "| keep-params | method | compress s | mean-pooled cosine | token cosine | speedup |"
echo "|---|---|---|---|---|---|"
for keep in "${keeps[@]}"; do
    for variant in weight-only data-aware; do
        compressed="$out/minilm-$variant-$keep.onnx"
        if [[ $variant == weight-only ]]; then
            args=(--method alds)
        else
            args=(--calibration "$text/calibration.txt" --calibration-limit 512 --tokenizer "$vocab" --max-tokens 64)
        fi
        start=$(date +%s.%N)
        "${cli[@]}" compress "$model" -o "$compressed" --keep-params "$keep" "${args[@]}" --quiet
        took=$(since "$start")
        "${cli[@]}" diff "$model" "$compressed" --data "$text/test.txt" --tokenizer "$vocab" --max-tokens 128 \
            --report "$out/diff-$variant-$keep.json" --quiet
        python3 - "$out/diff-$variant-$keep.json" "$keep" "$variant" "$took" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
comparison = report["comparison"]
tokens = next(o["tokens"] for o in comparison["outputs"] if o.get("tokens"))
speedup = comparison["speedup"]
print(f"| {sys.argv[2]} | {sys.argv[3]} | {sys.argv[4]} | {tokens['meanPooledCosine']:.4f} | {tokens['tokenCosine']:.4f} | "
      + (f"{speedup:.2f}x" if speedup else "not measured") + " |")
PY
    done
done

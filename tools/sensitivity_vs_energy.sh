#!/usr/bin/env bash
# Measured sensitivity against global-energy, both data-aware on the same calibration subset, at several keep-params
# fractions, over three disjoint calibration subsets; the mean and standard deviation over the subsets, and each
# compression's wall time (the allocation cost, sensitivity's measurement included).
#
#   bash tools/sensitivity_vs_energy.sh cnn [KEEP...]      models/resnet.onnx and models/mlp.onnx: accuracy drop in points
#   bash tools/sensitivity_vs_energy.sh minilm [KEEP...]   all-MiniLM-L6-v2: mean-pooled cosine on held-out text
#   bash tools/sensitivity_vs_energy.sh cnn-full [KEEP...] the CNNs on Debian's whole Fashion-MNIST (dataset-fashion-mnist)
#
# CNNs: calibration subsets are the 128-image slices at offsets 0, 128 and 256 of
# models/data/fmnist-train-512-images-idx3-ubyte.gz; the score is the accuracy drop on all 2,000 test images.
# cnn-full: the same models, calibrated on 512-image slices at offsets 0, 512 and 1024 of the 60,000 training images
# (the default --calibration-limit; sensitivity measures on the first 128 of each), scored on all 10,000 test images:
# five times the test images of `cnn`, so that differences of a few tenths of a point stand out of the test set's own
# sampling noise.
# MiniLM (tools/fetch_minilm.sh): subsets are the 256-line slices at offsets 0, 256 and 512 of
# models/data/text/calibration.txt (64 tokens); the score is diff's mean-pooled cosine on models/data/text/test.txt.
# KEEP defaults to 0.3 0.4 0.5 (cnn) and 0.9 0.8 0.7 (minilm). Prints a Markdown table; models and reports stay in
# $OUT (default artifacts/sensitivity/). Needs dotnet and python3.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
which="${1:?give cnn, cnn-full or minilm}"
shift
out="${OUT:-$root/artifacts/sensitivity}"
mkdir -p "$out"
dotnet build -c Release "$root/src/OnnxLowRank.Cli" > /dev/null
cli=(dotnet "$root/src/OnnxLowRank.Cli/bin/Release/net10.0/onnx-lowrank.dll")
data="$root/models/data"

case "$which" in
    cnn | cnn-full)
        models=("$root/models/resnet.onnx" "$root/models/mlp.onnx")
        read -r -a keeps <<< "${*:-0.3 0.4 0.5}"
        score_name="accuracy drop (points)"
        if [[ $which == cnn ]]; then
            offsets=(0 128 256)
            images="$data/fmnist-train-512-images-idx3-ubyte.gz" limit=128
            tests=("$data/fmnist-test-2000-images-idx3-ubyte.gz" "$data/fmnist-test-2000-labels-idx1-ubyte.gz")
        else
            fashion=/usr/share/datasets/fashion-mnist
            [[ -f $fashion/t10k-images-idx3-ubyte.gz ]] || { echo "install dataset-fashion-mnist (apt-get install dataset-fashion-mnist)" >&2; exit 2; }
            offsets=(0 512 1024)
            images="$fashion/train-images-idx3-ubyte.gz" limit=512
            tests=("$fashion/t10k-images-idx3-ubyte.gz" "$fashion/t10k-labels-idx1-ubyte.gz")
        fi
        calibration=(--calibration "$images" --calibration-limit "$limit" --normalize 0.2860,0.3530)
        validation=(--validate "${tests[0]}" --labels "${tests[1]}")
        ;;
    minilm)
        bash "$root/tools/fetch_minilm.sh" > /dev/null
        models=("$root/models/cache/minilm/model.onnx")
        read -r -a keeps <<< "${*:-0.9 0.8 0.7}"
        offsets=(0 256 512)
        vocab="$root/models/cache/minilm/vocab.txt"
        calibration=(--calibration "$data/text/calibration.txt" --calibration-limit 256 --tokenizer "$vocab" --max-tokens 64)
        validation=()
        score_name="mean-pooled cosine"
        ;;
    *) echo "give cnn, cnn-full or minilm" >&2; exit 2 ;;
esac

score() {
    python3 - "$1" <<'PY'
import json, sys
comparison = json.load(open(sys.argv[1]))["comparison"]
tokens = next((o["tokens"] for o in comparison["outputs"] if o.get("tokens")), None)
print(f"{tokens['meanPooledCosine']:.4f}" if tokens else f"{comparison['outputs'][0]['accuracyDropPoints']:.2f}")
PY
}

echo "| model | keep-params | method | $score_name per subset | mean | std | compress s (mean) |"
echo "|---|---|---|---|---|---|---|"
for model in "${models[@]}"; do
    name="$(basename "$(dirname "$model")")"
    [[ $name == models ]] && name="$(basename "$model" .onnx)"
    for keep in "${keeps[@]}"; do
        for method in global-energy sensitivity; do
            scores=(); times=()
            for offset in "${offsets[@]}"; do
                compressed="$out/$name-$method-$keep-$offset.onnx"
                report="$out/$name-$method-$keep-$offset.json"
                start=$(date +%s.%N)
                "${cli[@]}" compress "$model" -o "$compressed" --keep-params "$keep" --method "$method" "${calibration[@]}" \
                    --calibration-offset "$offset" "${validation[@]}" --report "$report" --quiet > /dev/null
                times+=("$(python3 -c "import sys, time; print(time.time() - float(sys.argv[1]))" "$start")")
                if [[ $which == minilm ]]; then
                    "${cli[@]}" diff "$model" "$compressed" --data "$data/text/test.txt" --tokenizer "$vocab" --max-tokens 128 \
                        --report "$report" --quiet > /dev/null
                fi
                scores+=("$(score "$report")")
            done
            python3 - "$name" "$keep" "$method" "${scores[*]}" "${times[*]}" <<'PY'
import statistics, sys
name, keep, method = sys.argv[1:4]
scores = [float(s) for s in sys.argv[4].split()]
times = [float(t) for t in sys.argv[5].split()]
# Rounded, so a mean of opposite drops prints 0, not -4.6e-18.
mean = round(statistics.mean(scores), 4)
print(f"| {name} | {keep} | {method} | {' / '.join(f'{s:g}' for s in scores)} | {mean + 0:g} | "
      f"{statistics.stdev(scores):.2g} | {statistics.mean(times):.1f} |")
PY
        done
    done
done

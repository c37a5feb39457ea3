#!/usr/bin/env bash
# The gate search's must-show (issue #18) on the bundled ResNet, not run in CI:
#  1. compress --max-accuracy-drop 0.5 with no keep option, validating on test images 0-999 (the search);
#  2. the chosen model's drop measured afterwards by diff on test images 1000-1999, which the search never saw;
#  3. a 0.025-grid sweep of the same compression on images 0-999, up to the chosen keep + 0.05: the smallest keep that passes there;
#  4. one compress-and-validate at the chosen keep, timed, against the search's wall time.
# Usage: tools/gate_search_benchmark.sh [OUT_DIR]   (default artifacts/gate-search)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/artifacts/gate-search}"
mkdir -p "$out"
dotnet build -c Release "$root/src/OnnxLowRank.Cli" >/dev/null
tool="$root/src/OnnxLowRank.Cli/bin/Release/net10.0/onnx-lowrank"
data="$root/models/data"
model="$root/models/resnet.onnx"
drop=0.5
calibration=(--calibration "$data/fmnist-train-512-images-idx3-ubyte.gz")
images="$data/fmnist-test-2000-images-idx3-ubyte.gz"
labels=(--labels "$data/fmnist-test-2000-labels-idx1-ubyte.gz" --normalize 0.2860,0.3530)
seconds() { date +%s.%N; }

start=$(seconds)
set +e
"$tool" compress "$model" -o "$out/searched.onnx" "${calibration[@]}" --validate "$images" "${labels[@]}" --offset 0 --limit 1000 \
  --max-accuracy-drop "$drop" --report "$out/search.json" --quiet
search_exit=$?
set -e
search_s=$(echo "$(seconds) - $start" | bc)

"$tool" diff "$model" "$out/searched.onnx" --data "$images" "${labels[@]}" --offset 1000 --limit 1000 --report "$out/held-out.json" --quiet

chosen=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['search']['chosenKeepFraction'])" "$out/search.json")
start=$(seconds)
"$tool" compress "$model" -o "$out/single.onnx" --keep-params "$chosen" "${calibration[@]}" --validate "$images" "${labels[@]}" --offset 0 --limit 1000 \
  --report "$out/single.json" --quiet
single_s=$(echo "$(seconds) - $start" | bc)

# The grid from 0.05 up to the chosen keep + 0.05 (0.025 steps, snapped to the grid): a passing point above that cannot
# change whether the chosen keep lies within 0.05 of the smallest passing one, and each point costs a compression.
stop=$(python3 -c "import sys; print(min(0.95, round((float(sys.argv[1]) + 0.05) / 0.025) * 0.025))" "$chosen")
# The search's compressions are auto's, which with calibration data is sensitivity on this model (every layer measurable).
"$tool" sweep "$model" --data "$images" "${labels[@]}" --offset 0 --limit 1000 "${calibration[@]}" --methods sensitivity \
  --keep "0.05:$stop:0.025" --report "$out/sweep.json" --quiet

python3 - "$out" "$drop" "$search_exit" "$search_s" "$single_s" <<'PY'
import json, sys
out, drop, exit_code, search_s, single_s = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
search = json.load(open(f"{out}/search.json"))["search"]
held = json.load(open(f"{out}/held-out.json"))["comparison"]["outputs"][0]
points = json.load(open(f"{out}/sweep.json"))["sweep"]["points"]
chosen = next(s for s in search["steps"] if s["chosen"])
passing = [p["keepFraction"] for p in points if p["accuracyDropPoints"] is not None and p["accuracyDropPoints"] <= drop + 1e-9]  # as the gate: a drop of exactly the threshold passes
best = min(passing) if passing else None
print(f"search: exit {exit_code}, {len(search['steps'])} steps, chose keep {chosen['keepFraction']:.4f} (kept {chosen['keptFraction']:.4f}), "
      f"drop on images 0-999 {chosen['gates'][0]['actual']:.2f} pt")
for s in search["steps"]:
    print(f"  step {s['step']}: keep {s['keepFraction']:.4f} drop {s['gates'][0]['actual'] if s['gates'] else float('nan'):.2f} pt {'passed' if s['passed'] else 'failed'}")
print(f"held out (images 1000-1999): drop {held['accuracyDropPoints']:.2f} pt (at most 1.0 asked)")
print(f"grid sweep (0.025 step up to chosen + 0.05, images 0-999): smallest passing keep {best}; chosen - best = {chosen['keepFraction'] - best:+.4f} (within 0.05 asked)" if best is not None
      else "grid sweep: no point up to chosen + 0.05 passes")
print(f"wall time: search {search_s:.1f} s, one compress-and-validate {single_s:.1f} s, ratio {search_s / single_s:.2f} (at most 8 asked)")
PY

#!/usr/bin/env bash
# Times the onnx-lowrank CLI of several commits side by side on this machine, in one run, to compare the
# ONNX Runtime each one uses (the hand-written C API binding before, the official NuGet package after).
# Each commit is checked out in its own git worktree and built there; then every measurement runs each
# build in turn, round after round (the order rotating), so a change in machine load touches all alike.
#
#   tools/compare_runtime_bindings.sh [--rounds N] REV [REV ...]
#
# Measured per build (medians over the rounds):
#   compress   wall seconds and peak resident MB of `compress models/resnet.onnx --method alds --keep-flops 0.5`
#   calibrated wall seconds and peak MB of the data-aware `compress models/resnet.onnx --calibration` (512 images)
#   latency    median milliseconds per run of the original and the compressed ResNet in `diff` on one
#              thread, 512 test images at batch 1 and at batch 32 (from the JSON report)
# A commit from before the switch still fetches ONNX Runtime with npm while it builds.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
rounds=3
if [ "${1:-}" = "--rounds" ]; then rounds="$2"; shift 2; fi
[ $# -ge 1 ] || { echo "usage: $0 [--rounds N] REV [REV ...]" >&2; exit 2; }

work="$(mktemp -d)"
cleanup() { for d in "$work"/build-*; do [ -d "$d" ] && git -C "$root" worktree remove --force "$d/src-tree" >/dev/null 2>&1 || true; done; rm -rf "$work"; }
trap cleanup EXIT

images="$root/models/data/fmnist-test-2000-images-idx3-ubyte.gz"
train="$root/models/data/fmnist-train-512-images-idx3-ubyte.gz"
norm="0.2860,0.3530"

builds=()
for rev in "$@"; do
  i=${#builds[@]}
  dir="$work/build-$i"
  mkdir -p "$dir"
  git -C "$root" worktree add --detach "$dir/src-tree" "$rev" >/dev/null
  echo "building $rev ($(git -C "$root" log -1 --format=%h "$rev"))" >&2
  dotnet build "$dir/src-tree/src/OnnxLowRank.Cli" -c Release -o "$dir/cli" -nologo -v quiet >"$dir/build.log" 2>&1 || { cat "$dir/build.log" >&2; exit 1; }
  builds+=("$dir")
done

timed() { # output file, command...: appends "seconds peak_kb"
  local out="$1"; shift
  /usr/bin/time -f "%e %M" -o "$out.time" "$@" >/dev/null
  cat "$out.time" >>"$out"
}

for ((r = 0; r < rounds; r++)); do
  n=${#builds[@]}
  for ((s = 0; s < n; s++)); do
    dir="${builds[$(((r + s) % n))]}"
    cli="$dir/cli/onnx-lowrank"
    echo "round $((r + 1))/$rounds: $(git -C "$dir/src-tree" log -1 --format=%h)" >&2
    timed "$dir/compress" "$cli" compress "$root/models/resnet.onnx" -o "$dir/resnet-alds.onnx" --method alds --keep-flops 0.5 --force --quiet
    timed "$dir/calibrated" "$cli" compress "$root/models/resnet.onnx" -o "$dir/resnet-auto.onnx" --calibration "$train" --normalize "$norm" --keep-params 0.5 --force --quiet
    for batch in 1 32; do
      "$cli" diff "$root/models/resnet.onnx" "$dir/resnet-alds.onnx" --data "$images" --normalize "$norm" --limit 512 --batch "$batch" \
        --threads 1 --quiet --report "$dir/diff-$batch.json" || true
      python3 - "$dir/diff-$batch.json" >>"$dir/latency-$batch" <<'PY'
import json, sys
def find(node, key):
    if isinstance(node, dict):
        if key in node: return node[key]
        for value in node.values():
            found = find(value, key)
            if found is not None: return found
    if isinstance(node, list):
        for value in node:
            found = find(value, key)
            if found is not None: return found
    return None
report = json.load(open(sys.argv[1]))
print(find(report, "originalLatency")["medianMs"], find(report, "compressedLatency")["medianMs"])
PY
    done
  done
done

python3 - "${builds[@]}" <<'PY'
import os, statistics, subprocess, sys
def column(path, index):
    return [float(line.split()[index]) for line in open(path) if line.strip()]
print("| build | ONNX Runtime | compress s | compress peak MB | calibrated s | calibrated peak MB | latency b1 orig / comp ms | latency b32 orig / comp ms |")
print("|---|---|---|---|---|---|---|---|")
for d in sys.argv[1:]:
    tree = os.path.join(d, "src-tree")
    rev = subprocess.run(["git", "-C", tree, "log", "-1", "--format=%h"], capture_output=True, text=True).stdout.strip()
    props = open(os.path.join(tree, "Directory.Packages.props")).read()
    engine = "official package " + props.split("<OnnxRuntimeVersion>")[1].split("<")[0] if "<OnnxRuntimeVersion>" in props else "own binding (npm 1.30.0)"
    med = lambda f, i: statistics.median(column(os.path.join(d, f), i))
    print(f"| {rev} | {engine} | {med('compress', 0):.2f} | {med('compress', 1) / 1024:.0f} | {med('calibrated', 0):.2f} | {med('calibrated', 1) / 1024:.0f} | "
          f"{med('latency-1', 0):.3f} / {med('latency-1', 1):.3f} | {med('latency-32', 0):.2f} / {med('latency-32', 1):.2f} |")
PY

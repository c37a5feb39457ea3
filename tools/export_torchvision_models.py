"""Exports torchvision architectures to ONNX for timing and scale benchmarks.

The weights are random (torchvision's own initialisation, seeded): these files measure how fast
and how lean compression is on real architectures, not accuracy. They are not committed; the
benchmark scripts call this to (re)create them under models/cache/.

Run with Debian's interpreter, which has torch and torchvision:
    /usr/bin/python3 tools/export_torchvision_models.py [--out models/cache] [resnet18 resnet50 vgg16 mobilenet_v2]
"""
import argparse
import os

import torch
import torchvision

ARCHITECTURES = ("resnet18", "resnet50", "vgg16", "mobilenet_v2")


def export(name: str, out_dir: str) -> str:
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    path = os.path.join(out_dir, f"{name}.onnx")
    partial = path + ".partial"
    example = torch.zeros(1, 3, 224, 224)
    torch.onnx.export(
        model, example, partial, opset_version=13,
        input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        do_constant_folding=True,
    )
    os.replace(partial, path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "models", "cache"))
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of {', '.join(ARCHITECTURES)} (default: all)")
    args = parser.parse_args()
    unknown = [n for n in args.names if n not in ARCHITECTURES]
    if unknown:
        parser.error(f"unknown architecture(s): {', '.join(unknown)}")
    os.makedirs(args.out, exist_ok=True)
    for name in args.names or ARCHITECTURES:
        path = export(name, args.out)
        print(f"{name}: {path} ({os.path.getsize(path) / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Renders synthetic text images as inputs for PaddleOCR's detector and direction classifier.

The two models take images of any height and width; the benchmarks need one fixed shape, so this
script draws printed text (DejaVu and Liberation fonts, random words, sizes, colours and
positions) and normalises it exactly as PaddleOCR's own preprocessing does:

- detector pages, [N, 3, 320, 320]: several lines of text per page; RGB / 255, then ImageNet
  mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225) per channel.
- classifier lines, [N, 3, 48, 192]: one line of text resized to height 48 keeping its aspect
  ratio (width at most 192), (x / 255 - 0.5) / 0.5, padded on the right with zeros as PaddleOCR's
  ClsResizeImg does; half of them are turned by 180 degrees. The labels (0 upright, 1 turned,
  the order of the classifier's two outputs) go to a separate int64 .npy.

Calibration and evaluation sets are drawn from separate random streams, so no image is in both.
Everything is seeded: a second run writes the same arrays. Files are written under a temporary
name and renamed, so a reader never sees a half-written array.

    /usr/bin/python3 tools/render_text_images.py [--out models/cache/paddleocr]
"""

import argparse
import glob
import os
import string

import numpy as np
from PIL import Image, ImageDraw, ImageFont

PAGE_SIZE = 320
LINE_HEIGHT, LINE_WIDTH = 48, 192
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)

# (file name, seed, count): the seeds keep the four sets disjoint and each run reproducible.
DETECTOR_SETS = [("det-calib", 1, 32), ("det-eval", 2, 32)]
CLASSIFIER_SETS = [("cls-calib", 3, 256), ("cls-eval", 4, 512)]

FONT_GLOBS = ["/usr/share/fonts/truetype/dejavu/DejaVuSans*.ttf",
              "/usr/share/fonts/truetype/dejavu/DejaVuSerif*.ttf",
              "/usr/share/fonts/truetype/liberation/Liberation*.ttf"]


def font_files():
    files = sorted(f for pattern in FONT_GLOBS for f in glob.glob(pattern))
    if not files:
        raise SystemExit("render_text_images.py: no TrueType fonts found; install fonts-dejavu-core or fonts-liberation")
    return files


def random_word(rng):
    length = int(rng.integers(2, 10))
    kind = rng.random()
    if kind < 0.15:
        alphabet = string.digits
    elif kind < 0.3:
        alphabet = string.ascii_uppercase
    else:
        alphabet = string.ascii_lowercase
    word = "".join(rng.choice(list(alphabet), size=length))
    return word.capitalize() if kind > 0.8 else word


def random_text(rng, words):
    return " ".join(random_word(rng) for _ in range(words))


def ink_and_paper(rng):
    """A dark text colour on a light background (or, sometimes, the reverse)."""
    paper = rng.integers(190, 256, size=3)
    ink = rng.integers(0, 90, size=3)
    if rng.random() < 0.15:
        paper, ink = ink, paper
    return tuple(int(v) for v in ink), tuple(int(v) for v in paper)


def add_noise(rng, pixels):
    noisy = pixels.astype(np.float32) + rng.normal(0.0, rng.uniform(0.0, 8.0), size=pixels.shape)
    return np.clip(noisy, 0, 255)


def render_page(rng, fonts):
    ink, paper = ink_and_paper(rng)
    page = Image.new("RGB", (PAGE_SIZE, PAGE_SIZE), paper)
    draw = ImageDraw.Draw(page)
    y = int(rng.integers(4, 30))
    while True:
        size = int(rng.integers(14, 34))
        font = ImageFont.truetype(str(rng.choice(fonts)), size)
        x = int(rng.integers(4, 80))
        text = random_text(rng, int(rng.integers(1, 5)))
        if y + size > PAGE_SIZE - 4:
            break
        draw.text((x, y), text, fill=ink, font=font)
        y += size + int(rng.integers(4, 24))
    pixels = add_noise(rng, np.asarray(page)) / 255.0
    normalized = (pixels - IMAGENET_MEAN) / IMAGENET_STD
    return normalized.transpose(2, 0, 1).astype(np.float32)


def render_line(rng, fonts, turned):
    ink, paper = ink_and_paper(rng)
    size = int(rng.integers(20, 40))
    font = ImageFont.truetype(str(rng.choice(fonts)), size)
    text = random_text(rng, int(rng.integers(1, 4)))
    left, top, right, bottom = font.getbbox(text)
    margin = int(rng.integers(2, 8))
    line = Image.new("RGB", (right - left + 2 * margin, bottom - top + 2 * margin), paper)
    ImageDraw.Draw(line).text((margin - left, margin - top), text, fill=ink, font=font)
    if turned:
        line = line.rotate(180)
    width = min(LINE_WIDTH, max(1, int(np.ceil(LINE_HEIGHT * line.width / line.height))))
    line = line.resize((width, LINE_HEIGHT), Image.BILINEAR)
    pixels = add_noise(rng, np.asarray(line)) / 255.0
    normalized = ((pixels - 0.5) / 0.5).transpose(2, 0, 1)
    padded = np.zeros((3, LINE_HEIGHT, LINE_WIDTH), dtype=np.float32)
    padded[:, :, :width] = normalized
    return padded


def save(out, name, array):
    path = os.path.join(out, name + ".npy")
    partial = path + ".partial.npy"
    np.save(partial, array)
    os.replace(partial, path)
    print(f"wrote {path} {list(array.shape)} {array.dtype}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--out", default=os.path.join(root, "models", "cache", "paddleocr"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    fonts = font_files()

    for name, seed, count in DETECTOR_SETS:
        rng = np.random.default_rng(seed)
        save(args.out, name, np.stack([render_page(rng, fonts) for _ in range(count)]))

    for name, seed, count in CLASSIFIER_SETS:
        rng = np.random.default_rng(seed)
        labels = rng.permutation(np.arange(count) % 2).astype(np.int64)
        save(args.out, name, np.stack([render_line(rng, fonts, turned=bool(t)) for t in labels]))
        save(args.out, name + "-labels", labels)


if __name__ == "__main__":
    main()

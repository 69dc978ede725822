"""Measuring printed ink: the bands of rows holding black dots in an image (a rendered ticket, a screenshot)."""

from __future__ import annotations

from PIL import Image


def ink_bands(image: Image.Image) -> list[tuple[int, int, int, int]]:
    """Each run of rows holding black dots, top to bottom: (top, height, left, right) in dots."""
    pixels = image.convert("L").load()
    width, height = image.size
    bands, start, left, right = [], None, width, -1
    for y in range(height + 1):
        row = [x for x in range(width) if pixels[x, y] < 128] if y < height else []
        if row:
            if start is None:
                start, left, right = y, width, -1
            left, right = min(left, row[0]), max(right, row[-1])
        elif start is not None:
            bands.append((start, y - start, left, right))
            start = None
    return bands

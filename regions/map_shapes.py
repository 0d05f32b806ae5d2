"""The outlines of NRW's Gemeinden and Kreise that the server-drawn map uses.

They come from fixtures/map/nrw_map.json (BKG VG250, simplified and projected by
fixtures/map/build_nrw_map.py; fixtures/README.md says where from and under which licence).
Gemeinden are keyed by their 8-digit AGS, Kreise and kreisfreie Städte by their 5-digit key,
as in the Gemeindeverzeichnis. The file never changes while the application runs, so it is
read once per process.
"""

import functools
import json
import re
from dataclasses import dataclass

from django.conf import settings

MAP_FILE = settings.BASE_DIR / "fixtures" / "map" / "nrw_map.json"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    def __str__(self) -> str:
        return f"{self.x:g} {self.y:g} {self.width:g} {self.height:g}"

    def overlaps(self, other: "Box") -> bool:
        return (
            self.x < other.x + other.width
            and other.x < self.x + self.width
            and self.y < other.y + other.height
            and other.y < self.y + self.height
        )


@dataclass(frozen=True)
class Outlines:
    whole: Box
    kreise: dict[str, str]  # 5-digit key -> SVG path
    gemeinden: dict[str, str]  # 8-digit AGS -> SVG path
    boxes: dict[str, Box]  # either key -> its bounding box
    attribution: str
    licence: str


@functools.cache
def outlines() -> Outlines:
    data = json.loads(MAP_FILE.read_text(encoding="utf-8"))
    x, y, width, height = (float(part) for part in data["view_box"].split())
    paths = {**data["kreise"], **data["gemeinden"]}
    return Outlines(
        whole=Box(x, y, width, height),
        kreise=data["kreise"],
        gemeinden=data["gemeinden"],
        boxes={key: _box_of(path) for key, path in paths.items()},
        attribution=data["attribution"],
        licence=data["licence"],
    )


def _box_of(path: str) -> Box:
    numbers = [float(number) for number in _NUMBER.findall(path)]
    xs, ys = numbers[0::2], numbers[1::2]
    return Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def box_around(keys, *, margin: float = 0.08) -> Box:
    """The part of the map that shows the areas of `keys`, with a margin around them (a share of its size)."""
    shapes = outlines()
    boxes = [shapes.boxes[key] for key in keys if key in shapes.boxes]
    if not boxes:
        return shapes.whole
    left = min(box.x for box in boxes)
    top = min(box.y for box in boxes)
    right = max(box.x + box.width for box in boxes)
    bottom = max(box.y + box.height for box in boxes)
    pad = max(right - left, bottom - top) * margin + 5
    return Box(
        round(left - pad, 1), round(top - pad, 1), round(right - left + 2 * pad, 1), round(bottom - top + 2 * pad, 1)
    )


def kreis_key(ags: str) -> str:
    """The 5-digit key of the Kreis (or kreisfreie Stadt) a Gemeinde lies in."""
    return ags[:5]

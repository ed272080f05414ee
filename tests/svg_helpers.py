"""Read what the real ``dot`` drew: parse its SVG and collect the text of each node and edge."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class Element:
    """One ``<g class="node">`` or ``<g class="edge">`` of the SVG."""

    id: str
    classes: list[str]
    title: str
    texts: list[str] = field(default_factory=list)
    fills: list[str] = field(default_factory=list)
    strokes: list[str] = field(default_factory=list)
    positions: list[tuple[float, float]] = field(default_factory=list)


def render(picture: Any) -> dict[str, Element]:
    """Render ``picture`` (a graphviz.Digraph) to SVG with ``dot`` and index its elements by id."""
    svg = picture.pipe(format="svg", encoding="utf-8")
    return parse(svg)


def parse(svg: str) -> dict[str, Element]:
    root = ET.fromstring(svg)
    elements: dict[str, Element] = {}
    for group in root.iter(f"{SVG}g"):
        classes = group.get("class", "").split()
        if not {"node", "edge", "cluster"} & set(classes):
            continue
        title = group.find(f"{SVG}title")
        title_text = (title.text or "") if title is not None else ""
        element = Element(group.get("id", ""), classes, title_text)
        for child in group.iter():
            if child.tag == f"{SVG}text":
                element.texts.append(child.text or "")
                element.positions.append((float(child.get("x", 0)), float(child.get("y", 0))))
            if child.tag in (f"{SVG}polygon", f"{SVG}ellipse", f"{SVG}path"):
                element.fills.append(child.get("fill", ""))
                element.strokes.append(child.get("stroke", ""))
        elements[element.id] = element
    return elements


def all_texts(elements: dict[str, Element]) -> list[str]:
    return [text for element in elements.values() for text in element.texts]

"""Read the verified reference lists (ontology/reference/) into catalog nodes, one per framework.

Only identifiers, official short titles, public-domain NIST text, EU law text and the project's
own ISO paraphrases end up in a node; never ISO text.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aimstrace.ontology.eu_ai_act_labels import ANNEX_III_POINT_LABELS
from aimstrace.ontology.iso27701_paraphrases import (
    ANNEX_PARAPHRASES as PIMS_ANNEX_PARAPHRASES,
)
from aimstrace.ontology.iso27701_paraphrases import (
    CONTROL_PARAPHRASES as PIMS_CONTROL_PARAPHRASES,
)
from aimstrace.ontology.iso27701_paraphrases import (
    OBJECTIVE_PARAPHRASES as PIMS_OBJECTIVE_PARAPHRASES,
)
from aimstrace.ontology.iso42001_paraphrases import ANNEX_C_PARAPHRASES, CONTROL_PARAPHRASES

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

# The one-line statements NIST AI 100-1 (Figure 5) gives for each core function.
NIST_FUNCTION_STATEMENTS = {
    "GOVERN": "A culture of risk management is cultivated and present.",
    "MAP": "Context is recognized and risks related to context are identified.",
    "MEASURE": "Identified risks are assessed, analyzed, or tracked.",
    "MANAGE": "Risks are prioritized and acted upon based on a projected impact.",
}


@dataclass(frozen=True)
class CatalogNode:
    """One requirement of a framework as read from the reference lists."""

    notation: str
    kind: str
    label: str
    parent: str | None = None
    definition: str | None = None
    guidance: str | None = None


ANNEX_I_FILE = "eu_ai_act_annex_i.csv"


class ReferenceError(ValueError):
    """A reference list is missing, malformed or inconsistent."""


def _rows(reference_dir: Path, name: str) -> list[dict[str, str]]:
    """Rows of one reference CSV, with the file name in any error."""
    path = reference_dir / name
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    except OSError as error:
        raise ReferenceError(f"{path}: cannot read reference list ({error})") from error


def _json(reference_dir: Path, name: str) -> Any:
    """Parsed content of one reference JSON file."""
    path = reference_dir / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ReferenceError(f"{path}: cannot read reference list ({error})") from error


def _squash(text: str) -> str:
    """Collapse line wraps and repeated spaces left over from PDF extraction."""
    return re.sub(r"\s+", " ", text).strip()


def _strip_paraphrase_marker(text: str) -> str:
    return re.sub(r"\s*\(paraphrase\)\s*$", "", text).strip()


def _first_sentence(text: str) -> str:
    parts = re.split(r"(?<=[a-z0-9)]\.)\s+(?=[A-Z])", text.strip(), maxsplit=1)
    return parts[0]


def iso42001_nodes(reference_dir: Path = REFERENCE_DIR) -> list[CatalogNode]:
    """ISO/IEC 42001: clauses, Annex A objectives and controls, Annex B guidance, Annex C."""
    nodes = [
        CatalogNode(row["id"], "clause", row["title"], row["parent"] or None)
        for row in _rows(reference_dir, "iso42001_2023_clauses.csv")
    ]
    objectives = {
        row["objective_id"]: _strip_paraphrase_marker(row["paraphrase_not_iso_text"])
        for row in _rows(reference_dir, "iso42001_2023_annexA_objectives_paraphrased.csv")
    }
    controls = _rows(reference_dir, "iso42001_2023_annexA_controls.csv")
    seen: set[str] = set()
    for row in controls:
        group, sub = row["objective_group"], row["sub_objective"]
        if group not in seen:
            seen.add(group)
            nodes.append(
                CatalogNode(
                    group,
                    "objective-group",
                    row["objective_group_title"],
                    None,
                    objectives.get(group),
                )
            )
        if sub and sub not in seen:
            seen.add(sub)
            if sub not in objectives:
                raise ReferenceError(f"control objective {sub} has no paraphrase")
            nodes.append(
                CatalogNode(
                    sub, "control-objective", row["sub_objective_title"], group, objectives[sub]
                )
            )
        if row["id"] not in CONTROL_PARAPHRASES:
            raise ReferenceError(f"control {row['id']} has no paraphrase in iso42001_paraphrases")
        nodes.append(
            CatalogNode(
                row["id"],
                "control",
                row["title"],
                sub or group,
                CONTROL_PARAPHRASES[row["id"]],
                row["annexB_guidance"],
            )
        )
    # Annex B headings mirror Annex A, so each guidance node carries its control's short title.
    nodes.extend(CatalogNode(row["annexB_guidance"], "guidance", row["title"]) for row in controls)
    missing = sorted(set(objectives) - seen)
    if missing:
        raise ReferenceError(f"objective paraphrases without a control group: {missing}")
    kinds = {"objective": "ai-objective", "risk_source": "risk-source"}
    for row in _rows(reference_dir, "iso42001_2023_annexC.csv"):
        if row["kind"] not in kinds:
            raise ReferenceError(
                f"iso42001_2023_annexC.csv: {row['id']}: unknown kind {row['kind']!r}"
            )
        nodes.append(
            CatalogNode(
                row["id"],
                kinds[row["kind"]],
                row["title"],
                None,
                ANNEX_C_PARAPHRASES.get(row["id"]),
            )
        )
    return nodes


def iso27001_nodes(reference_dir: Path = REFERENCE_DIR) -> list[CatalogNode]:
    """ISO/IEC 27001: clauses 4-10, the four Annex A themes and their 93 controls."""
    nodes = []
    for row in _rows(reference_dir, "iso27001_2022_clauses_and_annexA.csv"):
        notation = row["id"]
        if re.fullmatch(r"A\.\d+", notation):
            kind = "theme"
        elif notation.startswith("A."):
            kind = "control"
        else:
            kind = "clause"
        nodes.append(CatalogNode(notation, kind, row["title"], row["parent"] or None))
    return nodes


def nist_ai_rmf_nodes(reference_dir: Path = REFERENCE_DIR) -> list[CatalogNode]:
    """NIST AI RMF 1.0 Core with the official text as definition."""
    nodes = []
    for row in _rows(reference_dir, "nist_ai_rmf_1.0_core.csv"):
        notation, level, text = row["id"], row["level"], _squash(row["text"])
        if level == "function":
            label, definition = notation.capitalize(), NIST_FUNCTION_STATEMENTS[notation]
        else:
            if not text:
                raise ReferenceError(f"nist_ai_rmf_1.0_core.csv: {notation}: empty text")
            label, definition = _first_sentence(text), text
        nodes.append(CatalogNode(notation, level, label, row["parent"] or None, definition))
    return nodes


def nist_ai_600_1_nodes(reference_dir: Path = REFERENCE_DIR) -> list[CatalogNode]:
    """NIST AI 600-1: the twelve generative-AI risks (section 2.x)."""
    return [
        CatalogNode(row["section"], "risk", row["risk"])
        for row in _rows(reference_dir, "nist_ai_600_1_gai_risks.csv")
    ]


def _sentence_case(title: str) -> str:
    """``GENERAL-PURPOSE AI MODELS`` -> ``General-purpose AI models`` (acronyms kept)."""
    words = _squash(title).lower().split(" ")
    keep = {"ai": "AI", "eu": "EU"}
    text = " ".join(keep.get(word, word) for word in words)
    return text[:1].upper() + text[1:]


def _lettered_points(area_text: str, where: str) -> tuple[str, list[tuple[str, str]]]:
    """Split one numbered annex point into its heading and its lettered points (a), (b) ..."""
    heading_lines: list[str] = []
    points: list[tuple[str, list[str]]] = []
    for line in area_text.splitlines():
        match = re.match(r"^\(([a-z])\)\s*(.*)$", line.strip())
        if match:
            points.append((match.group(1), [match.group(2)]))
        elif points:
            points[-1][1].append(line)
        else:
            heading_lines.append(line)
    if not heading_lines:
        raise ReferenceError(f"{where}: no heading line")
    return _squash(" ".join(heading_lines)), [
        (letter, _squash(" ".join(body))) for letter, body in points
    ]


def _numbered(text: str, where: str) -> tuple[str, str]:
    match = re.match(r"^\s*(\d+)\.\s*(.*)$", text, flags=re.DOTALL)
    if not match:
        raise ReferenceError(f"{where}: does not start with a point number")
    return match.group(1), match.group(2)


def eu_ai_act_nodes(reference_dir: Path = REFERENCE_DIR) -> list[CatalogNode]:
    """EU AI Act: chapters, sections, articles, annexes, Annex III areas/points, Annex IV points."""
    nodes: list[CatalogNode] = []
    seen: set[str] = set()
    for row in _rows(reference_dir, "eu_ai_act_2024_1689_articles.csv"):
        chapter = f"Chapter {row['chapter']}"
        if chapter not in seen:
            seen.add(chapter)
            nodes.append(CatalogNode(chapter, "chapter", _sentence_case(row["chapter_title"])))
        parent = chapter
        if row["section"]:
            match = re.match(r"^Section (\d+) (.+)$", row["section"].strip())
            if not match:
                raise ReferenceError(
                    f"eu_ai_act_2024_1689_articles.csv: article {row['article']}: "
                    f"section {row['section']!r} is not 'Section N Title'"
                )
            parent = f"{chapter} Section {match.group(1)}"
            if parent not in seen:
                seen.add(parent)
                nodes.append(CatalogNode(parent, "section", _squash(match.group(2)), chapter))
        nodes.append(CatalogNode(f"Art. {row['article']}", "article", row["title"], parent))
    annexes = _json(reference_dir, "eu_ai_act_annexes.json")
    texts = _json(reference_dir, "eu_ai_act_annex_III_IV_text.json")
    for annex in annexes["annexes"]:
        name = f"Annex {annex['id']}"
        if annex["id"] == "III":
            nodes.extend(_annex_iii(annexes["annex_III_areas"], texts["ANNEX III"], annex["title"]))
        elif annex["id"] == "I":
            nodes.append(CatalogNode(name, "annex", annex["title"]))
            nodes.extend(annex_i_nodes(reference_dir))
        elif annex["id"] == "IV":
            nodes.extend(_annex_iv(annexes["annex_IV_points"], texts["ANNEX IV"], annex["title"]))
        else:
            nodes.append(CatalogNode(name, "annex", annex["title"]))
    return nodes


def annex_i_nodes(reference_dir: Path) -> list[CatalogNode]:
    """Annex I (Union harmonisation legislation): one node per listed act, below Annex I."""
    nodes = []
    for row in _rows(reference_dir, ANNEX_I_FILE):
        label = f"{row['act']} ({row['short_title']})"
        nodes.append(CatalogNode(f"Annex I.{row['point']}", "annex-i-act", label, "Annex I"))
    return nodes


def _annex_iii(areas: list[dict[str, Any]], texts: list[str], title: str) -> list[CatalogNode]:
    where = "eu_ai_act_annex_III_IV_text.json: ANNEX III"
    if len(areas) != len(texts):
        raise ReferenceError(f"{where}: {len(texts)} areas in the text, {len(areas)} in the list")
    intro = _squash(texts[0].split("\n", 1)[0])
    nodes = [CatalogNode("Annex III", "annex", title, None, intro)]
    for area, text in zip(areas, texts, strict=True):
        # The first area's text starts with the annex's introductory sentence.
        body = text.split("\n", 1)[1] if text.startswith(intro) else text
        number, rest = _numbered(body, f"{where} area {area['point']}")
        if number != str(area["point"]):
            raise ReferenceError(f"{where}: area {number} found where {area['point']} expected")
        heading, points = _lettered_points(rest, f"{where} area {number}")
        if len(points) != area["sub_points"]:
            raise ReferenceError(
                f"{where} area {number}: {len(points)} lettered points, "
                f"expected {area['sub_points']}"
            )
        notation = f"Annex III.{number}"
        nodes.append(
            CatalogNode(notation, "annex-area", area["area"], "Annex III", heading.rstrip(":"))
        )
        for letter, point in points:
            point_notation = f"{notation}({letter})"
            if point_notation not in ANNEX_III_POINT_LABELS:
                raise ReferenceError(f"{where}: {point_notation} has no label in eu_ai_act_labels")
            nodes.append(
                CatalogNode(
                    point_notation,
                    "annex-point",
                    ANNEX_III_POINT_LABELS[point_notation],
                    notation,
                    point,
                )
            )
    return nodes


def _annex_iv(points: list[dict[str, Any]], texts: list[str], title: str) -> list[CatalogNode]:
    where = "eu_ai_act_annex_III_IV_text.json: ANNEX IV"
    if len(points) != len(texts):
        raise ReferenceError(f"{where}: {len(texts)} points in the text, {len(points)} in the list")
    intro, first = texts[0].split("\n", 1)
    nodes = [CatalogNode("Annex IV", "annex", title, None, _squash(intro))]
    for index, (point, text) in enumerate(zip(points, texts, strict=True)):
        body = first if index == 0 else text
        number, point_text = _numbered(body, f"{where} point {point['point']}")
        if number != str(point["point"]):
            raise ReferenceError(f"{where}: point {number} found where {point['point']} expected")
        nodes.append(
            CatalogNode(
                f"Annex IV.{number}",
                "annex-point",
                point["summary"],
                "Annex IV",
                point_text.strip(),
            )
        )
    return nodes


_PIMS_KINDS = {
    "annex": "annex",
    "clause": "clause",
    "table": "control-table",
    "objective": "objective-group",
    "control": "control",
}


def iso27701_nodes(reference_dir: Path = REFERENCE_DIR) -> list[CatalogNode]:
    """ISO/IEC 27701:2025: clauses 4-10, Annexes A-F, the Annex A tables, groups and 78 controls."""
    name = "iso27701_2025_clauses_and_annexA.csv"
    nodes = []
    for row in _rows(reference_dir, name):
        kind = _PIMS_KINDS.get(row["kind"])
        if kind is None:
            raise ReferenceError(f"{name}: {row['id']}: unknown kind {row['kind']!r}")
        definition = None
        if kind == "control":
            definition = PIMS_CONTROL_PARAPHRASES.get(row["id"])
            if definition is None:
                raise ReferenceError(
                    f"control {row['id']} has no paraphrase in iso27701_paraphrases"
                )
        elif kind == "objective-group":
            definition = PIMS_OBJECTIVE_PARAPHRASES.get(row["id"])
        elif kind == "annex":
            definition = PIMS_ANNEX_PARAPHRASES.get(row["id"])
        nodes.append(CatalogNode(row["id"], kind, row["title"], row["parent"] or None, definition))
    return nodes


#: Structural level of a DPDP notation; a provision without obligations gets "<level>-provision".
_DPDP_LEVELS = (
    (re.compile(r"Chapter [IVX]+"), "chapter"),
    (re.compile(r"Section \d+"), "act-section"),
    (re.compile(r"Section \d+\((\d+|[a-z])\)"), "sub-section"),
    (re.compile(r"Rule \d+"), "rule"),
    # Rule 6(1), Rule 3(a), Rule 6(1)(a): catalogued for tracing, never counted (see coverage.py)
    (re.compile(r"Rule \d+\((\d+|[a-z])\)(\([a-z]\))?"), "sub-rule"),
    (
        re.compile(r"(First|Second|Third|Fourth|Fifth|Sixth|Seventh) Schedule( Part [A-Z])?"),
        "schedule",
    ),
)


def dpdp_nodes(reference_dir: Path = REFERENCE_DIR) -> list[CatalogNode]:
    """India's DPDP Act 2023 (chapters, sections, sub-sections), the DPDP Rules 2025, Schedules."""
    name = "dpdp_2023_act_and_2025_rules.csv"
    nodes = []
    for row in _rows(reference_dir, name):
        level = next((k for pattern, k in _DPDP_LEVELS if pattern.fullmatch(row["id"])), None)
        if level is None:
            raise ReferenceError(
                f"{name}: {row['id']!r} is not a chapter, section, sub-section, rule, sub-rule "
                "or schedule notation"
            )
        if row["kind"] not in (level, "provision"):
            raise ReferenceError(
                f"{name}: {row['id']}: kind {row['kind']!r} does not fit a {level}"
            )
        # a Schedule is detail of the rule that cites it; its duties are counted with that rule
        plain = row["kind"] == level or level in ("chapter", "schedule")
        kind = level if plain else f"{level}-provision"
        nodes.append(
            CatalogNode(
                row["id"], kind, row["title"], row["parent"] or None, row["paraphrase"] or None
            )
        )
    return nodes

"""The authored crosswalks under ontology/crosswalks/ are well-formed, resolvable and complete.

These checks read only repository files: the SSSOM TSV crosswalks, the reference identifier
lists in ontology/reference/ and the packaged catalogs. The parser here is deliberately
independent of loaders/sssom.py, so a bug there cannot hide a bad crosswalk (or the reverse).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
import yaml
from rdflib import Graph
from rdflib.namespace import SKOS

from aimstrace.ontology import FRAMEWORK_IDS, FRAMEWORK_PREFIXES
from aimstrace.ontology.iris import CATALOG_BASE, notation_slug

REPO = Path(__file__).resolve().parents[2]
CROSSWALKS = REPO / "ontology" / "crosswalks"
REFERENCE = REPO / "ontology" / "reference"
CATALOGS = REPO / "ontology" / "catalogs"

COLUMNS = [
    "subject_id",
    "subject_label",
    "predicate_id",
    "predicate_modifier",
    "object_id",
    "object_label",
    "mapping_justification",
    "relationship",
    "rationale",
    "strength",
    "confidence",
    "comment",
    "author_id",
]
PREDICATE_FOR = {
    "equal": "skos:exactMatch",
    "subset-of": "skos:broadMatch",
    "superset-of": "skos:narrowMatch",
    "intersects-with": "skos:relatedMatch",
    # SSSOM's negation: relatedMatch with predicate_modifier Not (or object sssom:NoTermFound)
    "no-relationship": "skos:relatedMatch",
}
RATIONALES = {"syntactic", "semantic", "functional"}
#: A full stop followed by a capitalised word starts a second sentence ("Art. 9" does not).
SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z][a-z]")
#: The product's prefixes (every exporter uses them): the shipped files must declare the same.
PREFIX_OF = FRAMEWORK_PREFIXES
#: file name -> (subject framework, object framework)
FILES = {
    "nist-ai-rmf--iso42001.sssom.tsv": ("nist-ai-rmf", "iso42001"),
    "iso42001--eu-ai-act.sssom.tsv": ("iso42001", "eu-ai-act"),
    "iso42001--iso27001.sssom.tsv": ("iso42001", "iso27001"),
    "nist-ai-600-1--iso42001.sssom.tsv": ("nist-ai-600-1", "iso42001"),
    "iso27701--iso27001.sssom.tsv": ("iso27701", "iso27001"),
    "iso27701--iso42001.sssom.tsv": ("iso27701", "iso42001"),
    "dpdp--iso27701.sssom.tsv": ("dpdp", "iso27701"),
    "dpdp--iso42001.sssom.tsv": ("dpdp", "iso42001"),
}
EU_ARTICLES_REQUIRED = [4, 9, 10, 11, 12, 13, 14, 15, 16, 17, 26, 27, 43, 49, 50, 72, 73]


def _csv(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def reference_notations() -> dict[str, set[str]]:
    """Every notation each framework's reference list defines."""
    iso42001: set[str] = set()
    for row in _csv("iso42001_2023_clauses.csv"):
        iso42001.add(row["id"])
    for row in _csv("iso42001_2023_annexA_controls.csv"):
        iso42001.update({row["id"], row["objective_group"], row["annexB_guidance"]})
        if row["sub_objective"]:
            iso42001.add(row["sub_objective"])
    iso42001.update(row["id"] for row in _csv("iso42001_2023_annexC.csv"))
    eu = {f"Art. {row['article']}" for row in _csv("eu_ai_act_2024_1689_articles.csv")}
    eu.update(f"Chapter {row['chapter']}" for row in _csv("eu_ai_act_2024_1689_articles.csv"))
    annexes = json.loads((REFERENCE / "eu_ai_act_annexes.json").read_text(encoding="utf-8"))
    eu.update(f"Annex {annex['id']}" for annex in annexes["annexes"])
    for area in annexes["annex_III_areas"]:
        eu.add(f"Annex III.{area['point']}")
        eu.update(f"Annex III.{area['point']}({chr(97 + i)})" for i in range(area["sub_points"]))
    eu.update(f"Annex IV.{point['point']}" for point in annexes["annex_IV_points"])
    return {
        "iso42001": iso42001,
        "iso27001": {row["id"] for row in _csv("iso27001_2022_clauses_and_annexA.csv")},
        "nist-ai-rmf": {row["id"] for row in _csv("nist_ai_rmf_1.0_core.csv")},
        "nist-ai-600-1": {row["section"] for row in _csv("nist_ai_600_1_gai_risks.csv")},
        "eu-ai-act": eu,
        "iso27701": {row["id"] for row in _csv("iso27701_2025_clauses_and_annexA.csv")},
        "dpdp": {row["id"] for row in _csv("dpdp_2023_act_and_2025_rules.csv")},
    }


@cache
def slug_to_notation(framework: str) -> dict[str, str]:
    """CURIE local part -> notation, for one framework's reference list."""
    return {notation_slug(n): n for n in reference_notations()[framework]}


@dataclass
class Crosswalk:
    """One parsed crosswalk file: header metadata, table columns and rows with line numbers."""

    header: dict[str, object]
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def parse(text: str) -> Crosswalk:
    """Split a ``#`` YAML header from the TSV table and read both."""
    lines = text.splitlines()
    header_lines = [line[1:] for line in lines if line.startswith("#")]
    body = [line for line in lines if not line.startswith("#")]
    header = yaml.safe_load("\n".join(header_lines)) or {}
    reader = csv.reader(io.StringIO("\n".join(body)), delimiter="\t", quoting=csv.QUOTE_NONE)
    table = list(reader)
    first = len(header_lines) + 1
    columns = table[0] if table else []
    rows = [
        (first + index, dict(zip(columns, cells, strict=False)))
        for index, cells in enumerate(table[1:], start=1)
        if len(cells) == len(columns)
    ]
    crosswalk = Crosswalk(header=header, columns=columns, rows=rows)
    for index, cells in enumerate(table[1:], start=1):
        if len(cells) != len(columns):
            crosswalk.rows.append((first + index, {"_malformed": "\t".join(cells)}))
    return crosswalk


def resolve(curie: str, framework: str) -> str | None:
    """The notation a CURIE names in `framework`, or None when it names nothing there."""
    prefix, _, local = curie.partition(":")
    if prefix != PREFIX_OF[framework]:
        return None
    return slug_to_notation(framework).get(local)


def row_problems(line: int, row: dict[str, str], subject_fw: str, object_fw: str) -> list[str]:
    """Every rule one table row breaks, each naming line, column and value."""
    if "_malformed" in row:
        return [f"line {line}: malformed row {row['_malformed'][:60]!r}"]
    problems: list[str] = []

    def bad(column: str, message: str) -> None:
        problems.append(f"line {line}, {column}={row.get(column)!r}: {message}")

    relationship = row["relationship"]
    if relationship not in PREDICATE_FOR:
        bad("relationship", "unknown relationship word")
    elif row["predicate_id"] != PREDICATE_FOR[relationship]:
        bad("predicate_id", f"expected {PREDICATE_FOR[relationship]}")
    negated = relationship == "no-relationship" and row["object_id"] != "sssom:NoTermFound"
    if row.get("predicate_modifier", "") != ("Not" if negated else ""):
        bad("predicate_modifier", "Not exactly for no-relationship with an object")
    if row["rationale"] not in RATIONALES:
        bad("rationale", "unknown rationale word")
    if not re.fullmatch(r"[0-9]+", row["strength"]) or not 1 <= int(row["strength"]) <= 10:
        bad("strength", "must be an integer 1-10")
    try:
        if not 0.0 <= float(row["confidence"]) <= 1.0:
            bad("confidence", "must be within 0-1")
    except ValueError:
        bad("confidence", "not a number")
    if row["mapping_justification"] != "semapv:ManualMappingCuration":
        bad("mapping_justification", "authored rows are manual curation")
    if not row["author_id"].strip():
        bad("author_id", "missing author")
    comment = row["comment"].strip()
    if not comment or not comment.endswith(".") or SENTENCE_BREAK.search(comment):
        bad("comment", "must be one non-empty sentence")
    subject = resolve(row["subject_id"], subject_fw)
    if subject is None:
        bad("subject_id", f"not a {subject_fw} notation in ontology/reference/")
    elif not row["subject_label"].startswith(subject + " "):
        bad("subject_label", f"must start with the notation {subject!r} and a title")
    if not (relationship == "no-relationship" and row["object_id"] == "sssom:NoTermFound"):
        obj = resolve(row["object_id"], object_fw)
        if obj is None:
            bad("object_id", f"not a {object_fw} notation in ontology/reference/")
        elif not row["object_label"].startswith(obj + " "):
            bad("object_label", f"must start with the notation {obj!r} and a title")
    return problems


def file_problems(crosswalk: Crosswalk, subject_fw: str, object_fw: str) -> list[str]:
    """Every rule a parsed crosswalk breaks: columns, rows and duplicate pairs."""
    problems: list[str] = []
    if crosswalk.columns != COLUMNS:
        problems.append(f"columns {crosswalk.columns} differ from {COLUMNS}")
        return problems
    seen: dict[tuple[str, str], int] = {}
    for line, row in crosswalk.rows:
        problems.extend(row_problems(line, row, subject_fw, object_fw))
        pair = (row.get("subject_id", ""), row.get("object_id", ""))
        if pair in seen:
            problems.append(f"line {line}: duplicate of line {seen[pair]} for {pair}")
        seen.setdefault(pair, line)
    return problems


@cache
def load(name: str) -> Crosswalk:
    return parse((CROSSWALKS / name).read_text(encoding="utf-8"))


def notations(name: str, column: str, framework: str) -> set[str]:
    """The notations named in one column of a crosswalk file."""
    found = {resolve(row[column], framework) for _, row in load(name).rows}
    return {n for n in found if n is not None}


def test_exactly_the_listed_crosswalk_files_are_shipped() -> None:
    assert sorted(p.name for p in CROSSWALKS.glob("*.sssom.tsv")) == sorted(FILES)


@pytest.mark.parametrize("name", sorted(FILES))
def test_header_is_complete_sssom_metadata(name: str) -> None:
    header = load(name).header
    subject_fw, object_fw = FILES[name]
    curie_map = header["curie_map"]
    assert isinstance(curie_map, dict)
    for framework in (subject_fw, object_fw):
        assert curie_map[PREFIX_OF[framework]] == f"{CATALOG_BASE}{framework}/"
    assert curie_map["skos"] == str(SKOS)
    assert curie_map["semapv"] == "https://w3id.org/semapv/vocab/"
    assert curie_map["sssom"] == "https://w3id.org/sssom/"
    stem = name.removesuffix(".sssom.tsv")
    assert (
        header["mapping_set_id"] == f"https://w3id.org/aimstrace/mapping/set/{notation_slug(stem)}"
    )
    assert header["license"] == "https://creativecommons.org/licenses/by/4.0/"
    for key in ("mapping_set_title", "mapping_set_version", "creator_id", "mapping_date"):
        assert header.get(key), f"{name}: header lacks {key}"
    assert header["subject_source"] == f"{CATALOG_BASE}{subject_fw}"
    assert header["object_source"] == f"{CATALOG_BASE}{object_fw}"


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_row_is_valid_and_resolves_to_reference_notations(name: str) -> None:
    assert file_problems(load(name), *FILES[name]) == []


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_justification_is_written_for_its_row(name: str) -> None:
    comments = [row["comment"] for _, row in load(name).rows]
    assert len(comments) == len(set(comments)), "a justification was copied between rows"


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_curie_names_a_requirement_in_the_packaged_catalogs(name: str) -> None:
    catalog_iris = packaged_catalog_iris()
    for line, row in load(name).rows:
        for column, framework in zip(("subject_id", "object_id"), FILES[name], strict=True):
            _, _, local = row[column].partition(":")
            if row[column] == "sssom:NoTermFound":
                continue
            iri = f"{CATALOG_BASE}{framework}/{local}"
            assert iri in catalog_iris, f"{name} line {line}: {row[column]} not in the catalog"


@cache
def packaged_catalog_iris() -> frozenset[str]:
    graph = Graph()
    for ttl in sorted(CATALOGS.glob("*.ttl")):
        graph.parse(ttl, format="turtle")
    return frozenset(str(s) for s in graph.subjects(SKOS.notation, None))


def test_nist_ai_rmf_every_subcategory_considered() -> None:
    name = "nist-ai-rmf--iso42001.sssom.tsv"
    levels = {row["id"]: row["level"] for row in _csv("nist_ai_rmf_1.0_core.csv")}
    subcategories = {n for n, level in levels.items() if level == "subcategory"}
    assert len(subcategories) == 72
    subjects = notations(name, "subject_id", "nist-ai-rmf")
    assert subjects == subcategories, "subjects must be exactly the 72 subcategories"
    objects = notations(name, "object_id", "iso42001")
    clauses = {row["id"] for row in _csv("iso42001_2023_clauses.csv")}
    controls = {row["id"] for row in _csv("iso42001_2023_annexA_controls.csv")}
    assert objects <= clauses | controls, "objects must be ISO 42001 clauses or Annex A controls"
    for line, row in load(name).rows:
        if row["relationship"] == "no-relationship":
            assert len(row["comment"]) > 40, f"line {line}: give the reason"


def test_iso42001_to_eu_ai_act_coverage() -> None:
    name = "iso42001--eu-ai-act.sssom.tsv"
    subjects = notations(name, "subject_id", "iso42001")
    controls = {row["id"] for row in _csv("iso42001_2023_annexA_controls.csv")}
    assert len(controls) == 38
    assert controls <= subjects, f"controls never considered: {sorted(controls - subjects)}"
    top_clauses = {str(n) for n in range(4, 11)}
    assert top_clauses <= subjects, f"clauses never considered: {sorted(top_clauses - subjects)}"
    objects = notations(name, "object_id", "eu-ai-act")
    required = {f"Art. {n}" for n in EU_ARTICLES_REQUIRED} | {f"Annex IV.{n}" for n in range(1, 10)}
    assert required <= objects, f"never used as object: {sorted(required - objects)}"


def test_iso42001_to_iso27001_harmonised_clauses_and_controls() -> None:
    name = "iso42001--iso27001.sssom.tsv"
    rows = [row for _, row in load(name).rows]
    assert len(rows) >= 40
    leaves = {row["id"] for row in _csv("iso42001_2023_clauses.csv") if row["leaf"] == "True"}
    subjects = notations(name, "subject_id", "iso42001")
    assert leaves <= subjects, f"clause leaves never considered: {sorted(leaves - subjects)}"
    controls = {row["id"] for row in _csv("iso42001_2023_annexA_controls.csv")}
    assert controls <= subjects, f"controls never considered: {sorted(controls - subjects)}"
    for row in rows:
        subject = resolve(row["subject_id"], "iso42001")
        obj = resolve(row["object_id"], "iso27001")
        if row["relationship"] == "equal":
            # Equality is claimed only for a harmonised clause against the same-numbered clause.
            assert subject == obj and subject in leaves, row
            assert row["rationale"] == "syntactic", row


def test_iso27001_clause_numbering_is_not_swapped() -> None:
    """Both standards number continual improvement 10.1 and corrective action 10.2."""
    titles_42001 = {row["id"]: row["title"] for row in _csv("iso42001_2023_clauses.csv")}
    titles_27001 = {row["id"]: row["title"] for row in _csv("iso27001_2022_clauses_and_annexA.csv")}
    for _, row in load("iso42001--iso27001.sssom.tsv").rows:
        subject = resolve(row["subject_id"], "iso42001")
        obj = resolve(row["object_id"], "iso27001")
        if subject in ("10.1", "10.2") and obj in ("10.1", "10.2"):
            assert titles_42001[subject] == titles_27001[obj]


def test_gai_profile_every_risk_mapped_to_annex_c() -> None:
    name = "nist-ai-600-1--iso42001.sssom.tsv"
    risks = {row["section"] for row in _csv("nist_ai_600_1_gai_risks.csv")}
    assert len(risks) == 12
    assert notations(name, "subject_id", "nist-ai-600-1") == risks
    annex_c = {row["id"] for row in _csv("iso42001_2023_annexC.csv")}
    with_annex_c = {
        resolve(row["subject_id"], "nist-ai-600-1")
        for _, row in load(name).rows
        if resolve(row["object_id"], "iso42001") in annex_c
    }
    assert with_annex_c == risks, "every risk is related to (or recorded against) Annex C"


BROKEN = """# curie_map:
#   iso42001: https://w3id.org/aimstrace/catalog/iso42001/
# license: https://creativecommons.org/licenses/by/4.0/
{columns}
iso42001:A.3.4\tA.3.4 Invented\tskos:relatedMatch\t\teuaiact:Art._9\tArt. 9 Risk management system\tsemapv:ManualMappingCuration\tintersects-with\tsemantic\t5\t0.5\tA control that does not exist.\taimstrace:test
iso42001:A.7.5\tA.7.5 Data provenance\tskos:exactMatch\t\teuaiact:Art._10\tArt. 10 Data and data governance\tsemapv:ManualMappingCuration\tsubset-of\tlogical\t11\t1.5\t\taimstrace:test
iso42001:A.7.5\tA.7.5 Data provenance\tskos:broadMatch\t\teuaiact:Art._10\tArt. 10 Data and data governance\tsemapv:ManualMappingCuration\toverlaps\tsemantic\t7\t0.7\tSecond row for the same pair.\taimstrace:test
iso42001:A.6.2.8\tA.6.2.8 AI system recording of event logs\tskos:relatedMatch
"""  # noqa: E501


def test_checker_reports_every_kind_of_broken_row() -> None:
    """The rules above do fail on bad data: one file with one defect of each kind."""
    crosswalk = parse(BROKEN.format(columns="\t".join(COLUMNS)))
    problems = "\n".join(file_problems(crosswalk, "iso42001", "eu-ai-act"))
    for expected in (
        "subject_id='iso42001:A.3.4': not a iso42001 notation",
        "predicate_id='skos:exactMatch': expected skos:broadMatch",
        "rationale='logical'",
        "strength='11'",
        "confidence='1.5'",
        "comment='': must be one non-empty sentence",
        "relationship='overlaps'",
        "duplicate of line",
        "malformed row",
    ):
        assert expected in problems, f"missing {expected!r} in:\n{problems}"
    assert "line 5," in problems  # errors name the file line of the row
    swapped = parse(BROKEN.format(columns="\t".join(reversed(COLUMNS))))
    assert file_problems(swapped, "iso42001", "eu-ai-act")[0].startswith("columns")


def test_resolve_rejects_wrong_framework_prefix() -> None:
    assert resolve("iso42001:A.7.5", "iso42001") == "A.7.5"
    assert resolve("iso27001:A.7.5", "iso42001") is None
    assert resolve("euaiact:Annex_IV.2", "eu-ai-act") == "Annex IV.2"
    assert resolve("euaiact:Annex_IV.10", "eu-ai-act") is None
    assert resolve("nistairmf:GOVERN_1.1", "nist-ai-rmf") == "GOVERN 1.1"


def _pims_rows() -> list[dict[str, str]]:
    return _csv("iso27701_2025_clauses_and_annexA.csv")


def test_iso27701_every_clause_leaf_and_control_has_a_decision_against_iso27001() -> None:
    wanted = {r["id"] for r in _pims_rows() if r["leaf"] == "True"}
    assert len(wanted) == 30 + 78
    assert notations("iso27701--iso27001.sssom.tsv", "subject_id", "iso27701") == wanted


def test_iso27701_table_a3_is_keyed_to_its_iso27002_origin() -> None:
    """Each Table A.3 control is mapped to the ISO/IEC 27001 control its reference list names."""
    pairs = {
        (resolve(row["subject_id"], "iso27701"), resolve(row["object_id"], "iso27001"))
        for _, row in load("iso27701--iso27001.sssom.tsv").rows
    }
    for r in _pims_rows():
        for origin in r["iso27002_2022_origin"].split():
            assert (r["id"], f"A.{origin}") in pairs, r["id"]


def test_harmonised_equalities_are_same_numbered_clause_leaves() -> None:
    leaves = {r["id"] for r in _pims_rows() if r["kind"] == "clause" and r["leaf"] == "True"}
    for name, (subject_fw, object_fw) in FILES.items():
        if "iso27701" not in (subject_fw, object_fw):
            continue
        for _, row in load(name).rows:
            if row["relationship"] != "equal" or row["rationale"] != "syntactic":
                continue
            subject = resolve(row["subject_id"], subject_fw)
            obj = resolve(row["object_id"], object_fw)
            table_a3_twin = subject is not None and subject.startswith("A.3.")
            assert (subject == obj and subject in leaves) or table_a3_twin, row


def test_dpdp_every_obligation_has_a_decision() -> None:
    obligations = {
        r["id"]
        for r in _csv("dpdp_2023_act_and_2025_rules.csv")
        if r["kind"] in ("sub-section", "rule")
    }
    assert len(obligations) == 46
    for name in ("dpdp--iso27701.sssom.tsv", "dpdp--iso42001.sssom.tsv"):
        assert notations(name, "subject_id", "dpdp") == obligations, name


def test_every_framework_has_one_prefix() -> None:
    """Exporters fall back to the id for a framework without one: OSCAL tokens would differ."""
    assert set(FRAMEWORK_PREFIXES) == set(FRAMEWORK_IDS)
    assert all(re.fullmatch(r"[a-z0-9]+", p) for p in FRAMEWORK_PREFIXES.values())

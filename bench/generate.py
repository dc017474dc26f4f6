"""Synthetic organisation generator: the inventory registers at any size, as CSV or N-Triples.

    python bench/generate.py --triples 100000 --format csv --out /tmp/org100k [--seed 7]

CSV output follows docs/input-schemas.md exactly (headers come from loaders.registers), so the
loaders are benchmarked on the files users have. N-Triples output is what loading those CSVs
produces: each row goes through the real loader's checks and triple building (`check_table`,
`build_entities`) against a store holding the packaged catalogs. Popular datasets and vendors
are shared by many systems (Zipf-distributed choices), as in real organisations.

Both outputs are streamed: rows are generated one at a time (`generate`) and written as they
come, twice over (the first pass finds which columns each register uses, for the CSV headers),
so memory stays flat in the number of rows; the earlier version built every row, then the
loader's whole plan, and peaked at 12.7 GB at 10M triples. Same seed, same files: the CSVs byte
for byte, the N-Triples as the same set of triples (tests/loaders/test_inventory_generator.py
checks both against the earlier generator's output).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aimstrace.loaders.references import ReferenceIndex
from aimstrace.ontology import data_path
from aimstrace.ontology.iris import entity_iri
from aimstrace.ontology.registers import ENUMERATIONS, REGISTER_BY_NAME

Row = dict[str, object]
ANNEX_III = (
    "Annex III.4(a)",
    "Annex III.4(b)",
    "Annex III.5(b)",
    "Annex III.5(c)",
    "Annex III.1(a)",
)
RISK_SOURCES = tuple(f"C.3.{i}" for i in range(1, 8))


def annex_a_controls() -> list[str]:
    """The 38 Annex A control notations, from the packaged reference list."""
    text = data_path("reference", "iso42001_2023_annexA_controls.csv").read_text(encoding="utf-8")
    return [row["id"] for row in csv.DictReader(text.splitlines())]


@dataclass
class Organisation:
    """Register rows keyed by register name."""

    rows: dict[str, list[Row]] = field(default_factory=dict)

    def add(self, register: str, row: Row) -> None:
        """Append one row to a register."""
        self.rows.setdefault(register, []).append(row)

    def estimated_triples(self) -> int:
        """Triples the loader will write: type, identifier, label plus one per cell value."""
        return sum(row_triples(row) for rows in self.rows.values() for row in rows)


def row_triples(row: Row) -> int:
    """Triples the loader writes for one row: type, identifier, label plus one per value."""
    total = 3
    for key, value in row.items():
        if key in ("id", "name", "title") or value in (None, ""):
            continue
        total += len(value) if isinstance(value, list) else 1
    return total


class Ids(Sequence[str]):
    """The ids prefix-000000, prefix-000001, ... made on demand (a list of them grows with n).

    random.choice and random.sample draw the same numbers from a Sequence as from a list.
    """

    def __init__(self, prefix: str, width: int, count: int = 0) -> None:
        self.prefix, self.width, self.count = prefix, width, count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):  # type: ignore[no-untyped-def, override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.count))]
        if index < 0:
            index += self.count
        if not 0 <= index < self.count:
            raise IndexError(index)
        return f"{self.prefix}{index:0{self.width}d}"

    def __iter__(self) -> Iterator[str]:
        return (f"{self.prefix}{i:0{self.width}d}" for i in range(self.count))


class Zipf:
    """Picks ids with Zipf-like popularity: the first ids are chosen far more often."""

    def __init__(self, ids: Sequence[str], skew: float = 1.1) -> None:
        self.ids = ids
        self.cumulative = list(accumulate(1.0 / (rank**skew) for rank in range(1, len(ids) + 1)))

    def pick(self, rng: random.Random, k: int, among_first: int | None = None) -> list[str]:
        """Up to k distinct ids, drawn from the first `among_first` ids (default: all)."""
        limit = len(self.ids) if among_first is None else min(among_first, len(self.ids))
        if limit == 0:
            return []
        total = self.cumulative[limit - 1]
        picked: list[str] = []
        for _ in range(k * 3):
            index = min(bisect_left(self.cumulative, rng.random() * total), limit - 1)
            if self.ids[index] not in picked:
                picked.append(self.ids[index])
            if len(picked) == k:
                break
        return picked


def _day(rng: random.Random) -> str:
    return (date(2025, 1, 1) + timedelta(days=rng.randrange(0, 660))).isoformat()


ANNEX_I = ("Annex I.11", "Annex I.12", "Annex I.6", "Annex I.18", "Annex I.21")
OTHER_ROLES = ("importer", "distributor", "authorised-representative", "product-manufacturer")


def eu_classification(rng: random.Random, role: str) -> dict[str, object]:
    """EU AI Act columns of one synthetic system: roles, Annex I, Art. 50, GPAI, dates."""
    row: dict[str, object] = {"prohibited_screening": "not-prohibited", "eu_ai_act_role": [role]}
    if rng.random() < 0.06:
        row["annex_i_act"] = rng.choice(ANNEX_I)
    if rng.random() < 0.2:
        row["transparency"] = rng.sample(["art50-1", "art50-2", "art50-3", "art50-4"], 2)
    if rng.random() < 0.03:
        row["gpai"] = rng.choice(["gpai", "gpai-systemic-risk"])
    if rng.random() < 0.08:
        row["eu_ai_act_role"] = [role, rng.choice(OTHER_ROLES)]
        if rng.random() < 0.3:
            row["role_change"] = "substantial-modification"
    if rng.random() < 0.5:
        row["placed_on_market"] = (
            date(2024, 6, 1) + timedelta(days=rng.randint(0, 1500))
        ).isoformat()
    return row


def build(systems: int, seed: int) -> Organisation:
    """An organisation with `systems` AI systems and everything that hangs off them, in memory."""
    org = Organisation()
    for register, row in generate(systems, seed):
        org.add(register, row)
    return org


def generate(systems: int, seed: int) -> Iterator[tuple[str, Row]]:
    """The organisation's (register, row) pairs one at a time, in a fixed order for a seed."""
    rng = random.Random(seed)
    n_people = max(15, systems // 3)
    n_vendors = max(6, systems // 8)
    n_datasets = max(10, int(systems * 2.5))
    stages = ENUMERATIONS["LifecycleStage"][1]
    levels = ENUMERATIONS["RiskLevel"][1]
    roles = ["ROLE-OWNER", "ROLE-DS", "ROLE-RISK", "ROLE-AUDIT"]
    for role in roles:
        yield ("roles", {"id": role, "name": role.title(), "description": "synthetic role"})
    yield (
        "organisation",
        {
            "id": "ORG-000001",
            "name": "Synthetic organisation",
            "public_service_provider": "true",
            "enterprise_size": "large",
            "planning_horizon_months": 18,
        },
    )
    # The EU AI Act classification draws from its own stream, so the rest of the organisation
    # stays what it was before these columns existed.
    eu_rng = random.Random(seed + 16)
    people = Ids("P-", 6, n_people)
    for i, person in enumerate(people):
        role = "aims-owner" if i == 0 else rng.choice(roles)
        yield (
            "people",
            {
                "id": person,
                "name": f"Person {i}",
                "email": f"p{i}@synthetic.example",
                "roles": [role],
            },
        )
    vendors = Ids("V-", 5, n_vendors)
    for i, vendor in enumerate(vendors):
        yield (
            "vendors",
            {
                "id": vendor,
                "name": f"Vendor {i}",
                "supplies": "models and data",
                "last_assessment": _day(rng),
            },
        )
    datasets = Ids("DS-", 6, n_datasets)
    popular_datasets, popular_vendors = Zipf(datasets), Zipf(vendors)
    for i, dataset in enumerate(datasets):
        upstream = popular_datasets.pick(rng, rng.randint(1, 3), among_first=i) if i > 10 else []
        yield (
            "datasets",
            {
                "id": dataset,
                "name": f"Dataset {i}",
                "source": f"system-of-record-{i % 17}",
                "acquisition": rng.choice(["internal", "purchased", "public"]),
                "provenance": f"pipeline run {i}" if rng.random() > 0.05 else "",
                "quality_checks": ["completeness", "drift"][: rng.randint(1, 2)],
                "personal_data": rng.choice(["true", "false"]),
                "derived_from": upstream,
                "vendor": popular_vendors.pick(rng, 1) if rng.random() < 0.3 else [],
            },
        )
    system_ids = Ids("SYS-", 6, systems)
    for i, system in enumerate(system_ids):
        own_models = [f"M-{i:06d}-{j}" for j in range(rng.randint(1, 2))]
        for model in own_models:
            yield (
                "models",
                {
                    "id": model,
                    "name": f"Model {model}",
                    "owner": rng.choice(people),
                    "trained_on": popular_datasets.pick(rng, rng.randint(1, 3)),
                    "vendor": rng.choice(vendors) if rng.random() < 0.2 else "",
                },
            )
        base_role = rng.choice(["provider", "deployer"])
        yield (
            "systems",
            {
                "id": system,
                "name": f"AI system {i}",
                "owner": rng.choice(people),
                "lifecycle_stage": rng.choice(stages),
                "intended_use": f"synthetic use case {i}",
                "deployment": "cloud",
                "annex_iii_point": rng.choice(ANNEX_III) if rng.random() < 0.15 else "",
                **eu_classification(eu_rng, base_role),
                "models": own_models,
                "datasets": popular_datasets.pick(rng, rng.randint(1, 4)),
                "vendors": popular_vendors.pick(rng, rng.randint(0, 2)),
                "requires_fria": "false",
            },
        )
    yield from _risk_registers(rng, system_ids, people, levels)


def _risk_registers(
    rng: random.Random,
    systems: Sequence[str],
    people: Sequence[str],
    levels: tuple[str, ...],
) -> Iterator[tuple[str, Row]]:
    controls_a = annex_a_controls()
    evidence_ids = Ids("EV-", 6)
    control_ids = Ids("CTL-", 6)
    for i in range(int(len(systems) * 2.5)):
        evidence = f"EV-{i:06d}"
        evidence_ids.count += 1
        yield (
            "evidence",
            {
                "id": evidence,
                "title": f"Evidence {i}",
                "location": f"https://evidence.synthetic.example/{i}",
                "date": _day(rng),
                "supports": [rng.choice(controls_a)],
                "type": rng.choice(ENUMERATIONS["EvidenceType"][1]),
            },
        )
    for i in range(len(systems) * 2):
        control = f"CTL-{i:06d}"
        control_ids.count += 1
        yield (
            "controls",
            {
                "id": control,
                "title": f"Control {i}",
                "annex_a_control": rng.choice(controls_a),
                "status": rng.choice(["implemented", "in-progress", "planned"]),
                "owner": rng.choice(people),
                "evidence": rng.sample(evidence_ids, rng.randint(0, 2)),
            },
        )
    assessments = Ids("RA-", 5, max(1, len(systems) // 20))
    for i, assessment in enumerate(assessments):
        covered = systems[i * 20 : (i + 1) * 20]
        yield (
            "risk_assessments",
            {
                "id": assessment,
                "title": f"Risk assessment {i}",
                "systems": covered,
                "date": _day(rng),
            },
        )
    risk_ids = Ids("RSK-", 6)
    for i in range(len(systems) * 3):
        risk = f"RSK-{i:06d}"
        risk_ids.count += 1
        likelihood, severity = rng.randint(1, 5), rng.randint(1, 5)
        system = systems[i // 3]
        yield (
            "risks",
            {
                "id": risk,
                "title": f"Risk {i}",
                "risk_source": rng.choice(RISK_SOURCES),
                "likelihood": likelihood,
                "severity": severity,
                "level": levels[min(3, (likelihood * severity - 1) // 6)],
                "owner": rng.choice(people),
                "systems": [system],
                "assessment": assessments[min(len(assessments) - 1, (i // 3) // 20)],
            },
        )
    for i, risk in enumerate(risk_ids):
        if rng.random() < 0.85:
            yield (
                "treatments",
                {
                    "id": f"TRT-{i:06d}",
                    "title": f"Treatment {i}",
                    "risks": [risk],
                    "option": rng.choice(ENUMERATIONS["TreatmentOption"][1]),
                    "controls": rng.sample(control_ids, rng.randint(1, 3)),
                },
            )
    for control in controls_a:
        yield (
            "statement_of_applicability",
            {
                "control": control,
                "applicable": "true",
                "justification": "synthetic",
                "status": "implemented",
            },
        )


def write_csv(org: Organisation, folder: Path) -> list[Path]:
    """One CSV per register, columns in the documented order, lists joined with `;`."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, rows in org.rows.items():
        register = REGISTER_BY_NAME[name]
        header = ([] if register.id_from else ["id"]) + [register.label_column]
        header += [c.name for c in register.columns]
        header = [h for h in header if any(h in row for row in rows)]
        path = folder / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow([_cell(row.get(h)) for h in header])
        written.append(path)
    return written


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def write_nt(org: Organisation, target: Path) -> int:
    """Write the N-Triples the loader would produce from this organisation's CSVs."""
    import pyoxigraph as ox

    from aimstrace.graph.engine import Engine
    from aimstrace.graph.store import Store
    from aimstrace.loaders.errors import InventoryLoadError
    from aimstrace.loaders.load import plan

    engine = Engine(Store.in_memory())
    engine.load_vocabulary()
    engine.load_catalogs()
    with tempfile.TemporaryDirectory() as scratch:
        write_csv(org, Path(scratch))
        planned = plan([Path(scratch)], engine.store)
    if planned.issues:
        raise InventoryLoadError(planned.issues)
    triples = [quad.triple for quad in planned.changeset.add]
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as fh:
        ox.serialize(triples, fh, format=ox.RdfFormat.N_TRIPLES)
    return len(triples)


@dataclass
class Shape:
    """What a first pass over the rows finds: registers in order, their headers, the sizes."""

    headers: dict[str, list[str]] = field(default_factory=dict)
    rows: int = 0
    systems: int = 0
    estimated_triples: int = 0


def shape_of(systems: int, seed: int) -> Shape:
    """Pass one: the columns each register uses (write_csv's headers), counted, row by row."""
    present: dict[str, set[str]] = {}
    shape = Shape()
    for name, row in generate(systems, seed):
        present.setdefault(name, set()).update(row)
        shape.rows += 1
        shape.systems += name == "systems"
        shape.estimated_triples += row_triples(row)
    for name, keys in present.items():
        register = REGISTER_BY_NAME[name]
        header = ([] if register.id_from else ["id"]) + [register.label_column]
        header += [c.name for c in register.columns]
        shape.headers[name] = [h for h in header if h in keys]
    return shape


def stream_csv(systems: int, seed: int, folder: Path) -> tuple[list[Path], Shape]:
    """write_csv's files, written row by row as they are generated (two passes, flat memory)."""
    shape = shape_of(systems, seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / f"{name}.csv" for name in shape.headers}
    handles = {name: path.open("w", newline="", encoding="utf-8") for name, path in paths.items()}
    try:
        writers = {name: csv.writer(fh, lineterminator="\n") for name, fh in handles.items()}
        for name, header in shape.headers.items():
            writers[name].writerow(header)
        for name, row in generate(systems, seed):
            writers[name].writerow([_cell(row.get(h)) for h in shape.headers[name]])
    finally:
        for fh in handles.values():
            fh.close()
    return list(paths.values()), shape


def stream_nt(systems: int, seed: int, target: Path, chunk: int = 2000) -> int:
    """write_nt's triples, built by the loader a chunk of rows at a time and written as they come.

    References are resolved by the ids' IRIs (`GeneratedReferences`): every id the generator
    names is one it generates, so the loader's index of the whole run is not needed; a reference
    to anything else (a catalog notation) goes to the real index. Returns the triples written.
    """
    import pyoxigraph as ox

    from aimstrace.graph.engine import Engine
    from aimstrace.graph.store import Store
    from aimstrace.loaders.errors import InventoryLoadError
    from aimstrace.loaders.inventory import build_entities, check_table
    from aimstrace.loaders.tabular import SourceRow, Table

    shape = shape_of(systems, seed)
    engine = Engine(Store.in_memory())
    engine.load_vocabulary()
    engine.load_catalogs()
    index = GeneratedReferences(engine.store)
    pending: dict[str, list[SourceRow]] = {name: [] for name in shape.headers}
    line = {name: 1 for name in shape.headers}  # the CSV line each row would be on
    written = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as fh:

        def flush(name: str) -> None:
            nonlocal written
            rows = pending[name]
            if not rows:
                return
            table = Table(REGISTER_BY_NAME[name], f"{name}.csv", rows, shape.headers[name])
            records, issues = check_table(table)
            built = build_entities(records, index, issues)
            if issues:
                raise InventoryLoadError(issues)
            triples = {q.triple for entity in built for q in (*entity.forward, *entity.inverse)}
            ox.serialize(triples, fh, format=ox.RdfFormat.N_TRIPLES)
            written += len(triples)
            pending[name] = []

        for name, row in generate(systems, seed):
            line[name] += 1
            cells = {h: _cell(row.get(h)) for h in shape.headers[name]}
            pending[name].append(SourceRow(line[name], cells))
            if len(pending[name]) >= chunk:
                flush(name)
        for name in shape.headers:
            flush(name)
    return written


# Every id the generator makes starts with one of these.
GENERATED_PREFIXES = ("P-", "V-", "DS-", "M-", "SYS-", "EV-", "CTL-", "RA-", "RSK-", "TRT-")
GENERATED_PREFIXES += ("ROLE-", "ORG-")


class GeneratedReferences(ReferenceIndex):
    """The loader's ReferenceIndex, resolving the generator's own ids without listing them."""

    def entity(self, kind: str, identifier: str) -> tuple[str | None, str | None]:
        """The IRI the loader mints for a generated id; anything else as the loader resolves it."""
        if identifier.startswith(GENERATED_PREFIXES):
            return str(entity_iri(kind, identifier)), None
        return super().entity(kind, identifier)


def systems_for(triples: int, seed: int) -> int:
    """How many AI systems give about `triples` triples (measured on a pilot organisation)."""
    pilot = 200
    per_system = build(pilot, seed).estimated_triples() / pilot
    return max(5, round(triples / per_system))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=10_000, help="target size in triples")
    parser.add_argument("--format", choices=("csv", "nt"), default="csv")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    systems = systems_for(args.triples, args.seed)
    if args.format == "csv":
        files, shape = stream_csv(systems, args.seed, args.out)
        print(
            f"wrote {len(files)} CSV files to {args.out} "
            f"(~{shape.estimated_triples} triples, {shape.systems} systems)"
        )
    else:
        count = stream_nt(systems, args.seed, args.out / "org.nt")
        print(f"wrote {count} triples to {args.out / 'org.nt'}")
    print(f"took {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

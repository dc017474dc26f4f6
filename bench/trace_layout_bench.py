"""The trace graph's layout with about 200 nodes, in headless Chromium (issue 19: <= 1 s).

The example organisation plus one system whose trace reaches ~200 entities (datasets and their
vendors, models, risks with their treatments, controls, evidence and the requirements those
implement), served on loopback; the page's own figure (`data-layout-ms` on the graph: the
Cytoscape build, the dagre layout and the first view) is read after opening every group,
folded and opened again `--repeat` times. Beside it, in the same run, the engine's trace query
(the baseline: what the page waits for before it draws).

    python bench/trace_layout_bench.py [--repeat 5] [--datasets 25] [--risks 30]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sys
import threading
import time
from pathlib import Path
from statistics import median

import pyoxigraph as ox
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aimstrace.api.app import create_app  # noqa: E402
from aimstrace.api.settings import Settings  # noqa: E402
from aimstrace.graph.engine import Engine  # noqa: E402
from aimstrace.loaders.pipeline import demo  # noqa: E402
from aimstrace.ontology.iris import graph_iri  # noqa: E402

AIMS = "https://w3id.org/aimstrace/ns#"
DATA = "https://w3id.org/aimstrace/data/"
SYSTEM = "SYS-LAYOUT"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def wide_system(requirements: list[str], datasets: int, models: int, risks: int) -> str:
    """Turtle for one system with that many datasets (each with its vendor), models (each with
    its vendor) and risks (each treated by a treatment using a control with evidence)."""
    s = f"<{DATA}system/{SYSTEM}>"
    lines = [
        f'{s} a <{AIMS}AISystem> ; <http://purl.org/dc/terms/identifier> "{SYSTEM}" ; '
        '<http://www.w3.org/2000/01/rdf-schema#label> "System with a wide trace" .'
    ]

    def entity(kind: str, cls: str, ident: str) -> str:
        iri = f"<{DATA}{kind}/{ident}>"
        lines.append(
            f'{iri} a <{AIMS}{cls}> ; <http://purl.org/dc/terms/identifier> "{ident}" ; '
            f'<http://www.w3.org/2000/01/rdf-schema#label> "{cls} {ident}" .'
        )
        return iri

    for n in range(datasets):
        dataset = entity("dataset", "Dataset", f"DS-L{n:03d}")
        vendor = entity("vendor", "Vendor", f"V-LD{n:03d}")
        lines += [
            f"{s} <{AIMS}usesDataset> {dataset} .",
            f"{dataset} <{AIMS}suppliedBy> {vendor} .",
        ]
    for n in range(models):
        model = entity("model", "Model", f"M-L{n:03d}")
        vendor = entity("vendor", "Vendor", f"V-LM{n:03d}")
        lines += [f"{s} <{AIMS}usesModel> {model} .", f"{model} <{AIMS}suppliedBy> {vendor} ."]
    for n in range(risks):
        risk = entity("risk", "Risk", f"RSK-L{n:03d}")
        treatment = entity("treatment", "RiskTreatment", f"TR-L{n:03d}")
        control = entity("control", "ImplementedControl", f"CTL-L{n:03d}")
        evidence = entity("evidence", "Evidence", f"EV-L{n:03d}")
        lines += [
            f"{risk} <{AIMS}affectsSystem> {s} .",
            f"{treatment} <{AIMS}treatsRisk> {risk} ; <{AIMS}usesControl> {control} .",
            f"{control} <{AIMS}implementsRequirement> <{requirements[n % len(requirements)]}> ;"
            f" <{AIMS}hasEvidence> {evidence} .",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Serve the fixture, lay the graph out `--repeat` times, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--datasets", type=int, default=25)
    parser.add_argument("--models", type=int, default=10)
    parser.add_argument("--risks", type=int, default=17)
    args = parser.parse_args(argv)
    engine = Engine.open(None)
    demo(engine)
    annex_a = [r.iri for r in engine.requirements("iso42001") if r.notation.startswith("A.")]
    engine.store.oxigraph.load(
        wide_system(annex_a, args.datasets, args.models, args.risks).encode(),
        format=ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode(graph_iri("org")),
    )
    engine.answers.clear()
    started = time.perf_counter()
    rows = engine.trace(SYSTEM).rows
    query_s = time.perf_counter() - started
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(Settings(), engine), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    from playwright.sync_api import sync_playwright

    samples: list[int] = []
    nodes = edges = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"http://127.0.0.1:{port}/ui/systems/{SYSTEM}")
        page.wait_for_function(
            "window.aimstraceGraph && window.aimstraceGraph.nodes().length > 1", timeout=120_000
        )
        folded = int(page.evaluate("window.aimstraceGraph.nodes().length"))
        for _ in range(args.repeat):
            page.get_by_role("button", name="Open all groups").click()
            page.wait_for_function(f"window.aimstraceGraph.nodes().length > {folded}")
            ms, nodes, edges = page.evaluate(
                "[+document.querySelector('#trace-graph').dataset.layoutMs,"
                " window.aimstraceGraph.nodes().length, window.aimstraceGraph.edges().length]"
            )
            samples.append(int(ms))
            page.get_by_role("button", name="Fold groups").click()
            page.wait_for_function(f"window.aimstraceGraph.nodes().length === {folded}")
        browser.close()
    server.should_exit = True
    layout_s = median(samples) / 1000
    print(f"system {SYSTEM}: {len(rows)} trace rows; {nodes} nodes, {edges} edges opened")
    print(f"  trace query (engine, the baseline)            {query_s:8.3f} s")
    print(
        f"  graph layout, groups opened (median of {len(samples)})   {layout_s:8.3f} s"
        f"  x{layout_s / query_s:5.1f} the query; goal <= 1 s: "
        f"{'met' if layout_s <= 1 else 'NOT met'} (samples ms: {samples})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

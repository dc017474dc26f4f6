"""Issue 14's hostile probes against a real `aimstrace serve` on loopback: what a client gets.

Builds the demo store in a temporary folder, starts the server with a 3 s query time limit and
a 1 MiB cap on what an XLSX may expand to, and sends each probe of the issue's Why list once
(bounded: small bodies, loopback only, every client call with a timeout), printing the status,
the problem type and the time taken; then checks /health during and after four runaway
queries, and the CPU the server's process tree uses once they are stopped.

    python bench/hostile_probe.py

Not a test (tests/api/test_hostile.py asserts the same outcomes): it prints what it saw.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CROSS = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}


def tree_cpu_seconds(root: int) -> float:
    """CPU (user + system) used so far by a process and its live descendants, from /proc."""
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(used.get(pid, 0.0) for pid in tree)


def xlsx_bomb(size: int) -> bytes:
    """A small workbook whose `people` sheet has one cell of `size` characters."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml"

    def cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    parts = {
        "[Content_Types].xml": f'<Types xmlns="{pkg}/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{sheet_type}.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        f'ContentType="{sheet_type}.worksheet+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{pkg}/relationships"><Relationship Id="rId1" '
        f'Type="{office}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{office}"><sheets>'
        '<sheet name="people" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{pkg}/relationships">'
        f'<Relationship Id="rId1" Type="{office}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>'
        f'<row r="1">{cell("A1", "id")}{cell("B1", "name")}</row>'
        f'<row r="2">{cell("A2", "P-900")}{cell("B2", "A" * size)}</row>'
        "</sheetData></worksheet>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in parts.items():
            book.writestr(name, text)
    return out.getvalue()


def cli(*args: str) -> list[str]:
    """The aimstrace command line of this checkout."""
    return [sys.executable, "-c", "from aimstrace.api.cli import main; main()", *args]


def show(name: str, started: float, response: httpx.Response) -> None:
    """One probe's outcome on one line."""
    kind = ""
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        kind = str(response.json().get("type", "")).rsplit("/", 1)[-1]
    print(f"  {name:<58} {response.status_code} {kind:<22} {time.monotonic() - started:6.2f} s")


def probe(client: httpx.Client, name: str, method: str, path: str, **kwargs: Any) -> None:
    """Send one request and show its outcome."""
    started = time.monotonic()
    show(name, started, client.request(method, path, **kwargs))


def main() -> int:
    """Demo store, server, probes."""
    with tempfile.TemporaryDirectory(prefix="aimstrace-probe-") as tmp:
        store = Path(tmp) / "store"
        subprocess.run(cli("--store", str(store), "demo"), check=True, capture_output=True)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {
            **os.environ,
            "AIMSTRACE_QUERY_TIMEOUT_SECONDS": "3",
            "AIMSTRACE_LOG_LEVEL": "error",
            "AIMSTRACE_LOAD_MAX_XLSX_BYTES": str(1024 * 1024),
        }
        server = subprocess.Popen(
            cli("serve", "--store", str(store), "--port", str(port)),
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            client = httpx.Client(base_url=url, timeout=60)
            for _ in range(300):
                try:
                    if client.get("/health").json().get("read_replica"):
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            run_probes(client, server.pid, store)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


def run_probes(client: httpx.Client, server_pid: int, store: Path) -> None:
    """Every probe of the Why list, in its order."""
    print("1. browsers")
    files = {"files": ("systems.csv", b"id,name,owner\nSYS-001,Rogue,P-001\n", "text/csv")}
    probe(client, "cross-site multipart POST /imports", "POST", "/imports", files=files,
          headers=CROSS)  # fmt: skip
    probe(client, "GET /exports/turtle with Host: evil.example:8000", "GET", "/exports/turtle",
          headers={"Host": "evil.example:8000"})  # fmt: skip
    probe(client, "same-origin GET /systems", "GET", "/systems",
          headers={"Origin": client.base_url.scheme + "://" + client.base_url.netloc.decode(),
                   "Sec-Fetch-Site": "same-origin"})  # fmt: skip
    print("2. queries that crashed the parser")
    for name, text in (
        ("3,000 nested { }", "SELECT * WHERE " + "{" * 3000 + "}" * 3000),
        ("deep parentheses", "SELECT * WHERE { FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }"),
        ("10,000 !", "SELECT * WHERE { FILTER(" + "!" * 10000 + "true) }"),
        ("3,000 UNIONs", "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 3000) + " }"),
    ):
        probe(client, f"POST /sparql {name} ({len(text)} bytes)", "POST", "/sparql",
              data={"query": text}, headers=FORM)  # fmt: skip
    deep = "SELECT * WHERE " + "{" * 3000 + "}" * 3000
    started = time.monotonic()
    done = subprocess.run(cli("--store", str(store), "sparql", deep), capture_output=True,
                          text=True)  # fmt: skip
    print(f"  {'aimstrace sparql (3,000 nested { }) exit code':<58} {done.returncode:<26} "
          f"{time.monotonic() - started:6.2f} s")  # fmt: skip
    print("3. SERVICE")
    probe(client, "SERVICE <http://127.0.0.1:18099/x>", "POST", "/sparql",
          data={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:18099/x> { ?s ?p ?o } }"},
          headers=FORM)  # fmt: skip
    print("4. runaway queries (time limit 3 s)")
    runaway_probes(client, server_pid)
    print("5. what a load or a query may cost")
    concat = (
        "SELECT ?v WHERE { BIND('"
        + "a" * 1000
        + "' AS ?a) "
        + "".join(
            f"BIND(CONCAT({','.join([f'?{x}'] * 8)}) AS ?{y}) "
            for x, y in (("a", "b"), ("b", "c"), ("c", "d"), ("d", "v"))
        )
        + "}"
    )
    probe(client, f"CONCAT bomb ({len(concat)} bytes, 4 MiB value)", "POST", "/sparql",
          data={"query": concat}, headers=FORM)  # fmt: skip
    xlsx = "application/octet-stream"
    bomb = xlsx_bomb(4 * 1024 * 1024)
    probe(client, f"POST /imports XLSX bomb ({len(bomb)} bytes, 4 MiB cell)", "POST",
          "/imports", files={"files": ("people.xlsx", bomb, xlsx)})  # fmt: skip
    probe(client, "POST /imports XLSX with a 40,000-character cell", "POST", "/imports",
          files={"files": ("people.xlsx", xlsx_bomb(40_000), xlsx)})  # fmt: skip
    print("6. reads during an import that adds the system read")
    import_race(client)
    print("7. bad files")
    for name, content, mime in (
        ("systems.yaml with !!python/object", b"systems: !!python/object:os.system x\n",
         "application/yaml"),
        ("systems.json nested 5,000 deep", b"[" * 5000 + b"]" * 5000, "application/json"),
        ("systems.yaml nested 3,000 deep", b"- " * 3000 + b"x\n", "application/yaml"),
        ("systems.csv with a NUL", b"id,name\nSYS-9,a\x00b\n", "text/csv"),
    ):  # fmt: skip
        probe(client, f"POST /imports {name}", "POST", "/imports",
              files={"files": (name.split()[0], content, mime)})  # fmt: skip


def import_race(client: httpx.Client) -> None:
    """GET the trace of a system that a running import adds: 404 before, rows after, only."""
    rows = "".join(f"SYS-P{i:05d},Probe system {i},P-008,deployment\n" for i in range(3000))
    content = ("id,name,owner,lifecycle_stage\n" + rows).encode()
    seen: dict[str, int] = {}
    started = time.monotonic()
    importer = httpx.Client(base_url=client.base_url, timeout=120)
    with importer, ThreadPoolExecutor(1) as pool:
        running = pool.submit(
            importer.post, "/imports", files={"files": ("systems.csv", content, "text/csv")}
        )
        while not running.done():
            answer = client.get("/systems/SYS-P02999/trace")
            outcome = str(answer.status_code)
            if answer.status_code == 200:
                outcome += " with rows" if answer.json()["rows"] else " with no rows"
            seen[outcome] = seen.get(outcome, 0) + 1
        imported = running.result()
    print(f"  {'POST /imports of 3,000 systems':<58} {imported.status_code:<26} "
          f"{time.monotonic() - started:6.2f} s")  # fmt: skip
    print(f"  {'trace answers meanwhile':<58} {seen}")


def runaway_probes(client: httpx.Client, server_pid: int) -> None:
    """Four cartesian products at once, /health and a trace meanwhile, the CPU after."""
    with ThreadPoolExecutor(4) as pool:
        started = time.monotonic()
        runaways = [
            pool.submit(client.post, "/sparql", data={"query": CARTESIAN}, headers=FORM)
            for _ in range(4)
        ]
        time.sleep(0.5)
        probe(client, "GET /health while 4 cartesian products run", "GET", "/health")
        probe(client, "GET /systems/SYS-001/trace meanwhile", "GET", "/systems/SYS-001/trace")
        probe(client, "POST /queries/untreated-risks meanwhile", "POST",
              "/queries/untreated-risks", json={"parameters": {"min_level": "high"}})  # fmt: skip
        for index, future in enumerate(runaways):
            show(f"cartesian product {index + 1}", started, future.result())
    before = tree_cpu_seconds(server_pid)
    time.sleep(2.0)
    used = tree_cpu_seconds(server_pid) - before
    print(f"  {'server process tree CPU over the 2 s after':<58} {used:.2f} s")
    probe(client, "GET /health after", "GET", "/health")


if __name__ == "__main__":
    sys.exit(main())

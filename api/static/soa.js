// The Statement of Applicability: every Annex A control, applicable or not, why, status, evidence.
"use strict";

import { api, el, heading, iriLink, link, requirementPath, shortIri, sortableTable } from "./core.js";

export async function soaView() {
  const answer = await api("/soa");
  const byControl = new Map();
  for (const r of answer.rows) {
    const entry = byControl.get(r.notation) || { ...r, implemented: new Set(), evidenceSet: new Set() };
    if (r.implemented_by) entry.implemented.add(r.implemented_by);
    if (r.evidence) entry.evidenceSet.add(r.evidence);
    byControl.set(r.notation, entry);
  }
  const rows = [...byControl.values()].map((r) => ({ ...r, implemented: [...r.implemented], evidenceSet: [...r.evidenceSet] }))
    .sort((a, b) => a.notation.localeCompare(b.notation, undefined, { numeric: true }));
  const list = (iris) => iris.length ? el("span", {}, iris.flatMap((iri, i) => [i ? ", " : "", iriLink(iri)])) : "—";
  const columns = [
    { key: "notation", title: "control", cell: (r) => link(requirementPath("iso42001", r.notation), r.notation) },
    { key: "title", title: "title" },
    { key: "applicable", title: "applicable", text: (r) => (r.applicable === true ? "yes" : r.applicable === false ? "no" : "not stated") },
    { key: "justification", title: "justification" },
    { key: "status", title: "status", cell: (r) => el("span", { class: `status status-${r.status || "none"}` }, r.status || "—") },
    { key: "implemented", title: "implemented by", text: (r) => r.implemented.map(shortIri).join("; "), cell: (r) => list(r.implemented) },
    { key: "evidence", title: "evidence", text: (r) => r.evidenceSet.map(shortIri).join("; "), cell: (r) => list(r.evidenceSet) },
  ];
  const applicable = rows.filter((r) => r.applicable === true).length;
  return el("div", {}, heading("Statement of Applicability", "ISO/IEC 42001 6.1.3 d): every Annex A control, whether it applies, why, and how it is implemented."),
    el("p", { class: "summary" }, `${rows.length} controls: ${applicable} applicable, ${rows.length - applicable} not applicable or not stated. `,
      link("/reports/soa?format=html", "Report (HTML)"), " · ", link("/reports/soa?format=xlsx", "XLSX"), " · ", link("/reports/soa?format=pdf", "PDF")),
    sortableTable(columns, rows, { id: "soa-table", csvName: "statement-of-applicability.csv" }));
}

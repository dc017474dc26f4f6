// The Statement of Applicability: every Annex A control, applicable or not, why, status, evidence.
// One entry per control (/soa/summary): at scale a control has hundreds of implementing
// controls and thousands of evidence items, so the table gives counts and the first few.
"use strict";

import { api, el, heading, iriLink, link, requirementPath, shortIri, sortableTable } from "./core.js";

// The decision's status; the implementing controls' statuses beside it when they differ.
function statusText(r) {
  const parts = Object.entries(r.statuses).map(([status, n]) => `${status} ${n}`);
  if (!r.status) return parts.join(" · ");
  return parts.length > 1 ? `${r.status} (controls: ${parts.join(" · ")})` : r.status;
}

function sampled(iris, total) {
  if (!total) return "—";
  const rest = total - iris.length;
  return el("span", {}, iris.flatMap((iri, i) => [i ? ", " : "", iriLink(iri)]), rest > 0 ? ` and ${rest} more` : "");
}

export async function soaView() {
  const rows = await api("/soa/summary");
  const columns = [
    { key: "notation", title: "control", cell: (r) => link(requirementPath("iso42001", r.notation), r.notation) },
    { key: "title", title: "title" },
    { key: "applicable", title: "applicable", text: (r) => (r.applicable === true ? "yes" : r.applicable === false ? "no" : "not stated") },
    { key: "justification", title: "justification" },
    { key: "status", title: "status", text: statusText, cell: (r) => el("span", { class: `status status-${r.status || "none"}` }, statusText(r) || "—") },
    { key: "implemented_total", title: "implemented by", numeric: true,
      text: (r) => [r.implemented_total, ...r.implemented_by.map(shortIri)].join("; "), cell: (r) => sampled(r.implemented_by, r.implemented_total) },
    { key: "evidence_total", title: "evidence", numeric: true,
      text: (r) => [r.evidence_total, ...r.evidence.map(shortIri)].join("; "), cell: (r) => sampled(r.evidence, r.evidence_total) },
  ];
  const applicable = rows.filter((r) => r.applicable === true).length;
  return el("div", {}, heading("Statement of Applicability", "ISO/IEC 42001 6.1.3 d): every Annex A control, whether it applies, why, and how it is implemented."),
    el("p", { class: "summary" }, `${rows.length} controls: ${applicable} applicable, ${rows.length - applicable} not applicable or not stated. `,
      link("/reports/soa?format=html", "Report (HTML)"), " · ", link("/reports/soa?format=xlsx", "XLSX"), " · ", link("/reports/soa?format=pdf", "PDF")),
    sortableTable(columns, rows, { id: "soa-table", csvName: "statement-of-applicability.csv" }));
}

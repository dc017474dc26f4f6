// The workbench's history views: one entity's revisions on its page, and what changed since
// the last internal audit (/ui/since-last-audit). Data from /{collection}/{id}/history and
// /since-last-audit; both are computed from the store's recorded revisions.
"use strict";

import { COLLECTION_TITLES, FRAMEWORK_NAMES, api, el, entityPath, heading, iriLink, link, requirementPath, sortableTable, whenReady } from "./core.js";

const CHANGES_SHOWN = 8; // per revision on the page; the API gives up to 50

const shortProperty = (iri) => iri.replace(/^.*[#/]/, "");
const when = (time) => (time || "").slice(0, 19).replace("T", " ");

// An entity's page panel: every revision that changed it, newest first, with who and what.
export async function entityHistory(collection, id) {
  const title = el("h2", { id: "history-h" }, "History");
  const panel = el("section", { class: "panel", "aria-labelledby": "history-h", id: "entity-history" }, title);
  let revisions;
  try {
    revisions = await api(`/${collection}/${encodeURIComponent(id)}/history`);
  } catch (error) {
    if (error.status === 404) return el("div", { hidden: true }); // a server without history
    panel.append(el("p", { class: "problem" }, error.message));
    return panel;
  }
  title.textContent = `History (${revisions.length} revision${revisions.length === 1 ? "" : "s"})`;
  const changes = (r) => el("ul", { class: "changes" },
    r.changes.slice(0, CHANGES_SHOWN).map((c) => el("li", { "data-change": c.change },
      el("span", { class: `change change-${c.change}` }, c.change === "added" ? "+" : "−"), " ",
      el("code", {}, shortProperty(c.property)), " ", c.value)),
    r.added + r.removed > CHANGES_SHOWN ? el("li", {}, `and ${r.added + r.removed - CHANGES_SHOWN} more`) : "");
  const columns = [
    { key: "revision", title: "revision" },
    { key: "time", title: "time (UTC)", text: (r) => when(r.time) },
    { key: "actor", title: "by" },
    { key: "message", title: "message", text: (r) => r.message || r.command },
    { key: "changes", title: "what changed", text: (r) => `+${r.added} −${r.removed}`, cell: changes },
  ];
  panel.append(sortableTable(columns, revisions, { id: "history-table", csvName: `${id}-history.csv` }));
  return panel;
}

function entityChanges(entities) {
  const rows = [];
  for (const [register, changes] of Object.entries(entities)) {
    for (const change of ["added", "changed", "removed"]) {
      for (const id of changes[change]) rows.push({ register, change, id });
    }
  }
  const collection = (register) => (COLLECTION_TITLES[register] ? register : null);
  return sortableTable([
    { key: "register", title: "register", text: (r) => COLLECTION_TITLES[r.register] || r.register.replaceAll("_", " ") },
    { key: "change", title: "change" },
    { key: "id", title: "entity", cell: (r) => (collection(r.register) && r.change !== "removed" ? link(entityPath(r.register, r.id), r.id) : r.id) },
  ], rows, { id: "since-entities", csvName: "changed-since-audit.csv", empty: "No entity changed." });
}

function gapList(id, gaps, empty) {
  if (!gaps.length) return el("p", { id }, empty);
  return el("ul", { id }, gaps.map((g) => el("li", {},
    el("span", { class: `sev sev-${g.severity}` }, g.severity), " ",
    g.requirement ? link(requirementPath(g.framework, g.requirement), `${FRAMEWORK_NAMES[g.framework] || g.framework} ${g.requirement}`) : "",
    " ", iriLink(g.focus, g.focus_label), ": ", g.message)));
}

// What changed since the newest internal audit: entities per register, mappings, gaps.
export async function sinceLastAuditView(query) {
  const asOf = query.get("as_of");
  const view = el("div", {}, heading("Since the last internal audit", "What changed in the AIMS after the newest internal audit (ISO/IEC 42001 9.2), from the store's revisions"));
  const dated = asOf ? `as_of=${encodeURIComponent(asOf)}` : "";
  // Two full validations (minutes at a million triples): computed in the background, the page
  // shows that it runs and fills in when it is done.
  const body = whenReady(`/since-last-audit/status?start=true${dated ? `&${dated}` : ""}`,
    el("div", { id: "since-audit" }), async () => sinceAuditContent(await api(`/since-last-audit${dated ? `?${dated}` : ""}`)),
    { describe: describeComparison });
  view.append(body);
  return view;
}

function describeComparison(status) {
  const last = status.last_seconds ? ` (the last one took ${Math.round(status.last_seconds)} s)` : "";
  return el("p", { class: "loading", role: "status" },
    `Comparing the store with its state on the audit's day (both validated) for ${Math.round(status.seconds || 0)} s${last}…`);
}

function sinceAuditContent(answer) {
  const parts = [];
  if (!answer.audit) {
    parts.push(el("p", { id: "no-audit" }, `${answer.note}. Record internal audits in the audits register to compare against them.`));
    return parts;
  }
  const d = answer.diff;
  parts.push(el("section", { class: "panel" }, el("p", { id: "since-summary" },
    `Internal audit ${answer.audit.id} ${answer.audit.label || ""} of ${answer.audit.date}: comparing ${d.from} (the store at the end of that day) with ${d.to} (now); gaps as of ${d.as_of}.`),
    answer.note ? el("p", { class: "sub" }, answer.note) : ""));
  parts.push(el("section", { class: "panel", "aria-labelledby": "since-ent-h" }, el("h2", { id: "since-ent-h" }, "Entities"), entityChanges(d.entities)));
  const mappings = Object.entries(d.mappings);
  if (mappings.length) {
    parts.push(el("section", { class: "panel" }, el("h2", {}, "Mapping sets"), el("ul", {},
      mappings.map(([name, counts]) => el("li", {}, `${name}: ${Object.entries(counts).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(", ")}`)))));
  }
  parts.push(el("section", { class: "panel", "aria-labelledby": "opened-h" }, el("h2", { id: "opened-h" }, `Gaps opened (${d.gaps_opened.length})`),
    gapList("gaps-opened", d.gaps_opened, "None.")));
  parts.push(el("section", { class: "panel", "aria-labelledby": "closed-h" }, el("h2", { id: "closed-h" }, `Gaps closed (${d.gaps_closed.length})`),
    gapList("gaps-closed", d.gaps_closed, "None.")));
  return parts;
}

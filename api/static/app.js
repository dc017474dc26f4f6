// aimstrace workbench: one page, stable URLs under /ui/, data from the API's own routes.
// No build step: ES modules and vendored Cytoscape.js (see /ui/vendor/README.md for versions).
"use strict";

import {
  $, ApiError, COLLECTION_TITLES, FRAMEWORK_NAMES, allPages, api, el, entityPath, fieldList,
  frameworkBadge, hasRoute, heading, iriLink, link, loading, requirementPath, sortableTable,
} from "./core.js";
import { tracePanel } from "./graph.js";
import { coveragePaths, coverageView } from "./coverage.js";
import { gapsView } from "./gaps.js";
import { soaView } from "./soa.js";

const TRACE_ROUTES = {
  systems: { path: (id) => `/systems/${encodeURIComponent(id)}/trace`, title: "Trace: everything behind this system" },
  datasets: { path: (id) => `/datasets/${encodeURIComponent(id)}/impact`, title: "Impact: what a problem with this dataset reaches" },
  vendors: { path: (id) => `/vendors/${encodeURIComponent(id)}/impact`, title: "Impact: what a failure of this vendor reaches" },
  people: { path: (id) => `/people/${encodeURIComponent(id)}/accountability`, title: "Accountability: what this person answers for" },
};
const IRI_KIND = { systems: "system", datasets: "dataset", models: "model", vendors: "vendor", people: "person",
  risks: "risk", controls: "control", treatments: "treatment", evidence: "evidence", incidents: "incident" };
const LIST_COLUMNS = {
  systems: ["lifecycle_stage", "eu_ai_act_role", "annex_iii_point", "owner"],
  datasets: ["owner"], people: [], risks: ["owner"], controls: ["owner"],
};

let meta = null;
async function registerMeta() {
  meta = meta || (await api("/ui/meta.json"));
  return meta;
}

function showError(message) {
  const box = $("#error");
  box.textContent = message || "";
  box.hidden = !message;
}

// ----- router ------------------------------------------------------------------------------
const ROUTES = [
  [/^\/ui\/?$/, dashboard],
  [/^\/ui\/gaps\/?$/, (m, q) => gapsView(q)],
  [/^\/ui\/coverage\/?$/, (m, q) => coverageView(q)],
  [/^\/ui\/soa\/?$/, () => soaView()],
  [/^\/ui\/registers\/?$/, registersView],
  [/^\/ui\/requirements\/([^/]+)\/(.+)$/, (m) => requirementView(decodeURIComponent(m[1]), decodeURIComponent(m[2]))],
  [/^\/ui\/([a-z]+)\/?$/, (m, q) => listView(m[1], q)],
  [/^\/ui\/([a-z]+)\/([^/]+)$/, (m) => entityView(m[1], decodeURIComponent(m[2]))],
];

async function route() {
  const view = $("#view");
  const url = new URL(location.href);
  showError("");
  for (const a of document.querySelectorAll("nav a[data-nav]")) {
    const here = a.getAttribute("href") === url.pathname || (a.dataset.nav !== "dashboard" && url.pathname.startsWith(a.getAttribute("href")));
    if (here) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  for (const [pattern, render] of ROUTES) {
    const match = url.pathname.match(pattern);
    if (!match) continue;
    view.replaceChildren(loading());
    try {
      const content = await render(match, url.searchParams);
      view.replaceChildren(content);
    } catch (error) {
      view.replaceChildren(errorPage(error));
    }
    view.focus({ preventScroll: true });
    return;
  }
  view.replaceChildren(errorPage(new ApiError(404, `There is no page at ${url.pathname}.`)));
}

function errorPage(error) {
  const title = error.status === 404 ? "Not found" : "Something went wrong";
  return el("div", {}, heading(title), el("p", { class: "problem", "data-status": error.status || "" }, error.message),
    el("p", {}, link("/ui/", "Back to the dashboard")));
}

export function navigate(href) {
  history.pushState(null, "", href);
  route();
  window.scrollTo(0, 0);
}
window.aimstraceNavigate = navigate;

document.addEventListener("click", (event) => {
  const a = event.target.closest("a[href]");
  if (!a || a.target || a.hasAttribute("download") || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith("/ui")) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener("popstate", route);

// ----- dashboard ---------------------------------------------------------------------------
function routeOfSystem(s) {
  if (s.excluded_from_scope) return "excluded from scope";
  const risk = s.annex_iii_point ? `high-risk (${s.annex_iii_point.split("(")[0].trim()})` : "not high-risk";
  return `${risk} · ${s.eu_ai_act_role || "role not set"}`;
}

// ISO/IEC 22989 life-cycle stages in their order; anything else after them.
const STAGES = ["inception", "design-development", "verification-validation", "deployment",
  "operation-monitoring", "re-evaluation", "retirement"];
const stageRank = (stage) => (STAGES.includes(stage) ? STAGES.indexOf(stage) : STAGES.length);

async function dashboard() {
  const [systems, frameworks, gaps] = await Promise.all([
    allPages("/systems"), api("/frameworks"), api("/gaps?limit=1"),
  ]);
  const coverage = await Promise.all(frameworks.map((f) => api(`/coverage?framework=${encodeURIComponent(f.id)}&limit=1`)));
  const stages = [...new Set(systems.items.map((s) => s.lifecycle_stage || "not set"))]
    .sort((a, b) => stageRank(a) - stageRank(b) || a.localeCompare(b));
  const routes = new Map();
  for (const s of systems.items) {
    const key = routeOfSystem(s);
    if (!routes.has(key)) routes.set(key, new Map());
    const cell = routes.get(key);
    const stage = s.lifecycle_stage || "not set";
    if (!cell.has(stage)) cell.set(stage, []);
    cell.get(stage).push(s);
  }
  const matrix = el("table", { class: "data matrix", id: "systems-by-route" },
    el("caption", {}, `${systems.items.length} AI systems by EU AI Act route and life-cycle stage`),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "route"), stages.map((s) => el("th", { scope: "col" }, s)))),
    el("tbody", {}, [...routes.keys()].sort().map((key) => el("tr", {}, el("th", { scope: "row" }, key),
      stages.map((stage) => el("td", {}, (routes.get(key).get(stage) || []).map((s) =>
        el("div", {}, link(entityPath("systems", s.id), `${s.id} ${s.label}`)))))))));

  const counts = gaps.counts || {};
  const gapCard = el("section", { class: "card wide", "aria-labelledby": "gaps-h", id: "gap-card" },
    el("h2", { id: "gaps-h" }, "Open gaps by severity"),
    el("p", { class: "sub" }, `as of ${gaps.as_of}: ${gaps.conforms ? "conforms" : "does not conform"}`),
    el("ul", { class: "counts" }, ["Violation", "Warning", "Info"].map((sev) => el("li", {},
      link(`/ui/gaps?severity=${sev}`, el("span", { class: `sev sev-${sev}` }, String(counts[sev] || 0)), { "aria-label": `${counts[sev] || 0} ${sev}` }), ` ${sev}`))),
    el("p", {}, link("/ui/gaps", "Open the gap report")));

  const covCard = el("section", { class: "card wide", "aria-labelledby": "cov-h", id: "coverage-card" },
    el("h2", { id: "cov-h" }, "Coverage per framework"),
    el("p", { class: "sub" }, "Requirements covered by the organisation's implemented controls, directly or through the crosswalks."),
    el("ul", { class: "bars" }, coverage.map((c) => {
      const total = c.total || 1;
      const s = c.summary || {};
      return el("li", {},
        link(`/ui/coverage?framework=${encodeURIComponent(c.framework)}`, FRAMEWORK_NAMES[c.framework] || c.framework),
        el("div", { class: "bar", role: "img", "aria-label": `${s.full || 0} full, ${s.partial || 0} partial, ${s.none || 0} none of ${c.total}` },
          el("span", { class: "full", style: `width:${(100 * (s.full || 0)) / total}%` }),
          el("span", { class: "partial", style: `width:${(100 * (s.partial || 0)) / total}%` })),
        el("span", { class: "bar-text" }, `${s.full || 0} full · ${s.partial || 0} partial · ${s.none || 0} none of ${c.total}`));
    })));

  const content = el("div", {}, heading("Dashboard", "The organisation's AI management system at a glance."),
    el("div", { class: "cards" }, gapCard, covCard),
    el("section", { class: "card wide", "aria-labelledby": "sys-h" }, el("h2", { id: "sys-h" }, "AI systems"), el("div", { class: "table-wrap" }, matrix)),
    await timelineHook("/timeline", "Upcoming dated obligations (EU AI Act)"));
  return content;
}

// Issue 16 adds EU AI Act obligation/timeline routes; their panels appear once the API has them
// (looked up in /openapi.json, so no request is made to a route that does not exist).
async function timelineHook(template, title, id = "") {
  if (!(await hasRoute(template))) return el("div", { hidden: true, "data-hook": template });
  const answer = await api(template.replace("{id}", encodeURIComponent(id))).catch((e) => ({ error: e.message }));
  const rows = answer.items || answer.rows || answer.obligations || (Array.isArray(answer) ? answer : []);
  const columns = rows.length ? Object.keys(rows[0]).map((k) => ({ key: k, title: k.replaceAll("_", " ") })) : [];
  return el("section", { class: "card wide", "data-hook": template, "aria-label": title }, el("h2", {}, title),
    answer.error ? el("p", { class: "problem" }, answer.error) : sortableTable(columns, rows, { csvName: "obligations.csv" }));
}

// ----- registers ---------------------------------------------------------------------------
async function registersView() {
  const info = await registerMeta();
  return el("div", {}, heading("Registers", "The organisation's inventory, one register each."),
    el("ul", { class: "tiles" }, Object.keys(info.collections).map((c) =>
      el("li", {}, link(`/ui/${c}`, COLLECTION_TITLES[c] || c)))));
}

async function listView(collection, query) {
  const info = await registerMeta();
  if (!info.collections[collection]) throw new ApiError(404, `There is no register called ${collection}.`);
  const text = query.get("q") || "";
  const found = await allPages(`/${collection}${text ? `?q=${encodeURIComponent(text)}` : ""}`);
  const extra = (LIST_COLUMNS[collection] || info.collections[collection].columns.slice(0, 2).map((c) => c.name))
    .filter((name) => info.collections[collection].columns.some((c) => c.name === name));
  const columns = [
    { key: "id", title: "id", cell: (r) => link(entityPath(collection, r.id), r.id) },
    { key: "label", title: "name" },
    ...extra.map((name) => ({ key: name, title: name.replaceAll("_", " "), cell: (r) => valueCell(info, collection, name, r[name]) })),
  ];
  const form = el("form", { class: "inline", role: "search", action: `/ui/${collection}` },
    el("label", { for: "list-q" }, "Find"), el("input", { id: "list-q", name: "q", type: "search", value: text, placeholder: "id or name" }),
    el("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (e) => { e.preventDefault(); navigate(`/ui/${collection}?q=${encodeURIComponent(form.q.value)}`); });
  return el("div", {}, heading(COLLECTION_TITLES[collection] || collection, `${found.total} entries`), form,
    sortableTable(columns, found.items, { id: "list-table", csvName: `${collection}.csv` }));
}

function valueCell(info, collection, name, value) {
  const column = info.collections[collection]?.columns.find((c) => c.name === name);
  const values = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
  if (!values.length) return "";
  const target = column && column.refers_to;
  const text = (v) => (v === true ? "yes" : v === false ? "no" : String(v));
  return el("span", {}, values.flatMap((v, i) => [i ? ", " : "", target ? link(entityPath(target, v), String(v)) : text(v)]));
}

// ----- entity pages ------------------------------------------------------------------------
async function entityView(collection, id) {
  const info = await registerMeta();
  if (!info.collections[collection]) throw new ApiError(404, `There is no register called ${collection}.`);
  const entity = await api(`/${collection}/${encodeURIComponent(id)}`);
  const fields = info.collections[collection].columns
    .filter((c) => entity[c.name] !== null && entity[c.name] !== undefined && !(Array.isArray(entity[c.name]) && !entity[c.name].length))
    .map((c) => [c.name.replaceAll("_", " "), valueCell(info, collection, c.name, entity[c.name])]);
  const iri = `https://w3id.org/aimstrace/data/${IRI_KIND[collection]}/${encodeURIComponent(id)}`;
  const parts = [heading(`${entity.id} ${entity.label || ""}`.trim(), COLLECTION_TITLES[collection] || collection),
    el("section", { class: "panel", "aria-label": "Fields" }, fieldList(fields))];
  // The panels' requests go out together; the page shows them in a fixed order.
  const trace = TRACE_ROUTES[collection];
  const [referrers, timeline, answer, gaps] = await Promise.all([
    referencesTo(info, collection, id),
    collection === "systems" ? timelineHook("/systems/{id}/obligations", "EU AI Act obligations and their dates", id) : null,
    trace ? api(trace.path(id)) : null,
    gapsAbout(entity),
  ]);
  parts.push(referrers);
  if (timeline) parts.push(timeline);
  if (trace) {
    const rows = answer.rows || [];
    parts.push(tracePanel({ id, label: entity.label, iri }, rows, { title: `${trace.title} (${rows.length} links)`, csvName: `${id}-trace.csv` }));
  }
  parts.push(gaps);
  return el("div", {}, parts);
}

// Entities of other registers that name this one (e.g. the systems a dataset feeds).
async function referencesTo(info, collection, id) {
  const lists = [];
  for (const [other, register] of Object.entries(info.collections)) {
    for (const column of register.columns) {
      if (column.refers_to !== collection) continue;
      lists.push(api(`/${other}?${encodeURIComponent(column.name)}=${encodeURIComponent(id)}&limit=200`)
        .then((page) => ({ other, column: column.name, items: page.items })));
    }
  }
  const found = (await Promise.all(lists)).filter((l) => l.items.length);
  if (!found.length) return el("div", { hidden: true });
  return el("section", { class: "panel", "aria-labelledby": "refs-h" }, el("h2", { id: "refs-h" }, "Named by"),
    fieldList(found.map((l) => [`${COLLECTION_TITLES[l.other] || l.other} (${l.column.replaceAll("_", " ")})`,
      el("span", {}, l.items.flatMap((item, i) => [i ? ", " : "", link(entityPath(l.other, item.id), `${item.id} ${item.label || ""}`.trim())]))])));
}

async function gapsAbout(entity) {
  const page = await api(`/gaps?q=${encodeURIComponent(entity.id)}&limit=50`);
  return el("section", { class: "panel", "aria-labelledby": "egaps-h" },
    el("h2", { id: "egaps-h" }, `Open gaps mentioning ${entity.id} (${page.total})`),
    page.items.length ? el("ul", {}, page.items.map((g) => el("li", {},
      el("span", { class: `sev sev-${g.severity}` }, g.severity), " ",
      g.requirement ? link(requirementPath(g.framework, g.requirement), `${FRAMEWORK_NAMES[g.framework] || g.framework} ${g.requirement}`) : "",
      " ", g.message))) : el("p", {}, "None."),
    page.total > page.items.length ? el("p", {}, link(`/ui/gaps?q=${encodeURIComponent(entity.id)}`, "All of them in the gap report")) : null);
}

// ----- requirement pages -------------------------------------------------------------------
async function requirementView(framework, notation) {
  const requirement = await api(`/frameworks/${encodeURIComponent(framework)}/requirements/${encodeURIComponent(notation)}`);
  const coverage = await allPages(`/coverage?framework=${encodeURIComponent(framework)}`).catch(() => null);
  const entry = coverage && coverage.items && coverage.items.find((c) => c.notation === notation);
  const mapping = (m, outgoing) => {
    const fw = outgoing ? m.object_framework : m.subject_framework;
    const other = outgoing ? m.object : m.subject;
    return { relationship: m.relationship, framework: fw, notation: other, status: m.status, strength: m.strength, justification: m.justification, set: m.mapping_set };
  };
  const maps = [...requirement.mappings_out.map((m) => mapping(m, true)), ...requirement.mappings_in.map((m) => mapping(m, false))];
  const columns = [
    { key: "relationship", title: "relationship" },
    { key: "framework", title: "framework", text: (r) => FRAMEWORK_NAMES[r.framework] || r.framework, cell: (r) => frameworkBadge(r.framework) },
    { key: "notation", title: "requirement", cell: (r) => link(requirementPath(r.framework, r.notation), r.notation) },
    { key: "status", title: "status" }, { key: "strength", title: "strength", numeric: true },
    { key: "justification", title: "justification" },
  ];
  const gaps = await api(`/gaps?framework=${encodeURIComponent(framework)}&requirement=${encodeURIComponent(notation)}&limit=50`);
  return el("div", {},
    heading(`${FRAMEWORK_NAMES[framework] || framework} ${requirement.notation} ${requirement.title || ""}`.trim(), `${requirement.kind}${requirement.parent ? ` in ${requirement.parent}` : ""}`),
    el("section", { class: "panel" }, fieldList([
      ["framework", frameworkBadge(framework)],
      ["parent", requirement.parent ? link(requirementPath(framework, requirement.parent), requirement.parent) : "—"],
      ["coverage", entry ? el("span", { class: `cov cov-${entry.coverage}` }, entry.coverage) : "—"],
      ["IRI", el("code", {}, requirement.iri)],
    ])),
    entry && entry.paths.length ? el("section", { class: "panel" }, el("h2", {}, "Covered through"), coveragePaths(entry, framework)) : "",
    el("section", { class: "panel" }, el("h2", {}, `Mappings (${maps.length})`), sortableTable(columns, maps, { csvName: `${framework}-${notation}-mappings.csv` })),
    el("section", { class: "panel" }, el("h2", {}, `Open gaps against it (${gaps.total})`),
      gaps.items.length ? el("ul", {}, gaps.items.map((g) => el("li", {}, el("span", { class: `sev sev-${g.severity}` }, g.severity), " ",
        iriLink(g.focus, g.focus_label), ": ", g.message))) : el("p", {}, "None.")));
}

// ----- start -------------------------------------------------------------------------------
const keyInput = $("#api-key");
keyInput.value = sessionStorage.getItem("aimstrace-key") || "";
keyInput.addEventListener("change", () => { sessionStorage.setItem("aimstrace-key", keyInput.value); route(); });
route();

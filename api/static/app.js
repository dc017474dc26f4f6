// aimstrace workbench: one page, stable URLs under /ui/, data from the API's own routes.
// No build step: ES modules and vendored Cytoscape.js (see /ui/vendor/README.md for versions).
"use strict";

import {
  $, ApiError, COLLECTION_TITLES, FRAMEWORK_NAMES, allPages, api, el, entityPath, fieldList,
  frameworkBadge, hasRoute, heading, iriLink, link, loading, registerMeta, requirementPath, shortIri, sortableTable,
  whenReady,
} from "./core.js";
import { loadCytoscape, tracePanel } from "./graph.js";
import { coveragePaths, coverageView } from "./coverage.js";
import { gapsView } from "./gaps.js";
import { entityHistory, sinceLastAuditView } from "./history.js";
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
  [/^\/ui\/since-last-audit\/?$/, (m, q) => sinceLastAuditView(q)],
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
function routeOf(r) {
  if (r.excluded_from_scope) return "excluded from scope";
  const risk = r.annex_iii_point ? `high-risk (${r.annex_iii_point.split("(")[0].trim()})` : "not high-risk";
  return `${risk} · ${(r.eu_ai_act_role || []).join(", ") || "role not set"}`;
}

// ISO/IEC 22989 life-cycle stages in their order; anything else after them.
const STAGES = ["inception", "design-development", "verification-validation", "deployment",
  "operation-monitoring", "re-evaluation", "retirement"];
const stageRank = (stage) => (STAGES.includes(stage) ? STAGES.indexOf(stage) : STAGES.length);

// The systems list filtered to one cell of the matrix (the list API filters by column value).
function cellHref(r) {
  const params = new URLSearchParams();
  params.set("lifecycle_stage", r.lifecycle_stage || "");
  params.set("annex_iii_point", r.annex_iii_point || "");
  params.set("excluded_from_scope", r.excluded_from_scope ? "true" : "false");
  if ((r.eu_ai_act_role || []).length === 1) params.set("eu_ai_act_role", r.eu_ai_act_role[0]);
  return `/ui/systems?${params}`;
}

// One answer (/dashboard): counts from one aggregate query; coverage and gaps as soon as their
// background computations are done (the page polls; it never waits for a validation).
async function dashboard() {
  const first = await api("/dashboard");
  const counts = new Map();
  for (const r of first.by_route_stage) {
    const key = routeOf(r);
    const stage = r.lifecycle_stage || "not set";
    if (!counts.has(key)) counts.set(key, new Map());
    const row = counts.get(key);
    if (!row.has(stage)) row.set(stage, []);
    row.get(stage).push(r);
  }
  const stages = [...new Set(first.by_route_stage.map((r) => r.lifecycle_stage || "not set"))]
    .sort((a, b) => stageRank(a) - stageRank(b) || a.localeCompare(b));
  const matrix = el("table", { class: "data matrix", id: "systems-by-route" },
    el("caption", {}, `${first.systems} AI systems by EU AI Act route and life-cycle stage`),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "route"), stages.map((s) => el("th", { scope: "col" }, s)))),
    el("tbody", {}, [...counts.keys()].sort().map((key) => el("tr", {}, el("th", { scope: "row" }, key),
      stages.map((stage) => el("td", {}, (counts.get(key).get(stage) || []).map((r) =>
        el("div", {}, link(cellHref(r), `${r.count} system${r.count === 1 ? "" : "s"}`)))))))));

  const gapBody = el("div", { id: "gap-card-body" });
  const gapCard = el("section", { class: "card wide", "aria-labelledby": "gaps-h", id: "gap-card" },
    el("h2", { id: "gaps-h" }, "Open gaps by severity"), gapBody, el("p", {}, link("/ui/gaps", "Open the gap report"), " · ",
      link("/ui/since-last-audit", "What changed since the last internal audit")));
  whenReady("/gaps/status?start=true", gapBody, (status) => {
    const c = status.counts || {};
    return [el("p", { class: "sub" }, `as of ${status.as_of}: ${status.conforms ? "conforms" : "does not conform"}`),
      el("ul", { class: "counts" }, ["Violation", "Warning", "Info"].map((sev) => el("li", {},
        link(`/ui/gaps?severity=${sev}`, el("span", { class: `sev sev-${sev}` }, String(c[sev] || 0)), { "aria-label": `${c[sev] || 0} ${sev}` }), ` ${sev}`)))];
  });

  const covBody = el("div", { id: "coverage-card-body" });
  const covCard = el("section", { class: "card wide", "aria-labelledby": "cov-h", id: "coverage-card" },
    el("h2", { id: "cov-h" }, "Coverage per framework"),
    el("p", { class: "sub" }, "Requirements covered by the organisation's implemented controls, directly or through the crosswalks."),
    covBody);
  const bars = (answer) => el("ul", { class: "bars" }, answer.coverage.map((c) => {
    const name = link(`/ui/coverage?framework=${encodeURIComponent(c.framework)}`, FRAMEWORK_NAMES[c.framework] || c.framework);
    if (c.state !== "ready") return el("li", { "data-state": c.state }, name, el("span", { class: "bar-text loading" }, c.state === "failed" ? c.error : "computing…"));
    const total = c.total || 1;
    const s = c.summary || {};
    return el("li", { "data-state": "ready" }, name,
      el("div", { class: "bar", role: "img", "aria-label": `${s.full || 0} full, ${s.partial || 0} partial, ${s.none || 0} none of ${c.total}` },
        el("span", { class: "full", style: `width:${(100 * (s.full || 0)) / total}%` }),
        el("span", { class: "partial", style: `width:${(100 * (s.partial || 0)) / total}%` })),
      el("span", { class: "bar-text" }, `${s.full || 0} full · ${s.partial || 0} partial · ${s.none || 0} none of ${c.total}`));
  }));
  covBody.append(bars(first));
  if (first.coverage.some((c) => c.state !== "ready" && c.state !== "failed")) {
    whenReady("/dashboard", covBody, bars, {
      done: (a) => a.coverage.every((c) => c.state === "ready" || c.state === "failed"), describe: bars,
    });
  } else covBody.dataset.state = "ready";

  const content = el("div", {}, heading("Dashboard", "The organisation's AI management system at a glance."),
    el("div", { class: "cards" }, gapCard, covCard),
    el("section", { class: "card wide", "aria-labelledby": "sys-h" }, el("h2", { id: "sys-h" }, "AI systems"), el("div", { class: "table-wrap" }, matrix)),
    await organisationTimeline());
  return content;
}

// EU AI Act in time (issue 16): a system's obligations by the date they apply, and the
// organisation's timeline. The panels appear only when the API offers the routes (looked up in
// the routes /ui/meta.json lists, so no request goes to a route that does not exist).
const TODAY = new Date().toISOString().slice(0, 10);

function byDate(rows, dateOf) {
  const groups = new Map();
  for (const r of rows) {
    const day = dateOf(r) || "no date";
    if (!groups.has(day)) groups.set(day, []);
    groups.get(day).push(r);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}

function timelineList(id, groups, entry) {
  return el("ol", { class: "timeline", id }, groups.map(([day, items]) =>
    el("li", { "data-date": day, class: day <= TODAY ? "past" : "future" },
      el("time", { datetime: day }, day), el("ul", {}, items.map(entry)))));
}

async function obligationsPanel(id) {
  const template = "/systems/{id}/obligations";
  if (!(await hasRoute(template))) return el("div", { hidden: true, "data-hook": template });
  const answer = await api(template.replace("{id}", encodeURIComponent(id))).catch((e) => ({ error: e.message }));
  const section = (...body) => el("section", { class: "card wide", id: "eu-obligations", "aria-labelledby": "eu-h" },
    el("h2", { id: "eu-h" }, "EU AI Act obligations and their dates"), ...body);
  if (answer.error) return section(el("p", { class: "problem" }, answer.error));
  const rows = answer.obligations || [];
  if (!rows.length) return section(el("p", { class: "sub" }, `No EU AI Act obligation on ${answer.as_of}.`));
  const relief = (r) => (r.relief || []).map((x) => x.provision).join(", ");
  const entry = (r) => el("li", { "data-status": r.status },
    el("span", { class: `status status-${r.status}` }, r.status), " ",
    link(requirementPath("eu-ai-act", String(r.provision).split("(")[0].trim()), r.provision), ` ${r.title} `,
    el("span", { class: "sub" }, `(${r.role}, ${r.role_basis}; ${r.controls.length} controls, ${r.evidence.length} evidence${relief(r) ? `; relief: ${relief(r)}` : ""}${r.reason ? `; ${r.reason}` : ""})`));
  const columns = ["applies_from", "status", "provision", "title", "role", "route", "version"]
    .map((k) => ({ key: k, title: k.replaceAll("_", " ") }))
    .concat([
      { key: "controls", title: "controls", text: (r) => r.controls.map(shortIri).join(", ") },
      { key: "evidence", title: "evidence", text: (r) => r.evidence.map(shortIri).join(", ") },
      { key: "relief", title: "size relief", text: relief },
    ]);
  const fria = answer.fria && answer.fria.contradiction ? el("p", { class: "contradiction", id: "eu-fria" }, answer.fria.message) : null;
  const fines = (answer.organisation_relief || []).map((x) => `${x.provision}: ${x.relief}`).join("; ");
  return section(el("p", { class: "sub" }, `On ${answer.as_of}, by the date each applies, in the version of the Act in force then.`),
    fria, timelineList("eu-timeline", byDate(rows, (r) => r.applies_from), entry),
    fines ? el("p", { class: "sub", id: "eu-fines" }, `Fine caps: ${fines}`) : null,
    el("details", {}, el("summary", {}, "All rows"), sortableTable(columns, rows, { id: "eu-table", csvName: `${id}-obligations.csv` })));
}

const TIMELINE_PROVISIONS_SHOWN = 8;

async function organisationTimeline() {
  if (!(await hasRoute("/timeline"))) return el("div", { hidden: true, "data-hook": "/timeline" });
  const rows = await api("/timeline").catch((e) => ({ error: e.message }));
  const section = (...body) => el("section", { class: "card wide", id: "org-timeline", "aria-labelledby": "tl-h" },
    el("h2", { id: "tl-h" }, "EU AI Act timeline"), ...body);
  if (rows.error) return section(el("p", { class: "problem" }, rows.error));
  if (!rows.length) return section(el("p", { class: "sub" }, "No AI system has a dated EU AI Act obligation."));
  const entry = ([day, items]) => {
    const systems = new Set(items.map((r) => r.system));
    const provisions = [...new Set(items.map((r) => r.provision))].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    const changes = [...new Set(items.map((r) => r.change).filter((c) => c !== "unchanged"))];
    const shown = provisions.slice(0, TIMELINE_PROVISIONS_SHOWN).join(", ") + (provisions.length > TIMELINE_PROVISIONS_SHOWN ? ", …" : "");
    const onlySystem = systems.size === 1 ? link(entityPath("systems", [...systems][0]), [...systems][0]) : `${systems.size} systems`;
    return el("li", { "data-date": day, class: day <= TODAY ? "past" : "future" },
      el("time", { datetime: day }, day),
      el("span", {}, ` ${items.length} obligations of `, onlySystem, `: ${shown}`),
      changes.length ? el("span", { class: "sub" }, ` (${changes.join("; ")})`) : null);
  };
  return section(el("p", { class: "sub" }, "Every dated obligation of the organisation's AI systems, as amended by Regulation (EU) 2026/1744."),
    el("ol", { class: "timeline", id: "org-timeline-list" }, byDate(rows, (r) => r.date).map(entry)));
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
  const params = new URLSearchParams();
  for (const [k, v] of query) if (k === "q" || info.collections[collection].columns.some((c) => c.name === k)) params.set(k, v);
  const found = await allPages(`/${collection}${params.toString() ? `?${params}` : ""}`);
  const filtered = [...params].filter(([k]) => k !== "q");
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
  const shown = filtered.length ? el("p", { class: "sub", id: "list-filters" }, "Only entries with ",
    filtered.map(([k, v]) => `${k.replaceAll("_", " ")} = ${v || "(not set)"}`).join(", "), ". ", link(`/ui/${collection}`, "Show all")) : null;
  return el("div", {}, heading(COLLECTION_TITLES[collection] || collection, `${found.total} entries`), form, shown,
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
// Every request of the page goes out at once (the register metadata, the entity, its referrers,
// obligations, trace and gap status), so the page costs one round trip after its scripts, not
// one per panel. The page shows with the entity's fields; each panel fills its place when its
// answer comes (a popular dataset's impact takes seconds at scale), in a fixed order.
async function entityView(collection, id) {
  if (!COLLECTION_TITLES[collection]) throw new ApiError(404, `There is no register called ${collection}.`);
  const trace = TRACE_ROUTES[collection];
  if (trace) loadCytoscape().catch(() => null); // fetched beside the data
  const entityAnswer = api(`/${collection}/${encodeURIComponent(id)}`);
  const info = registerMeta();
  const referrers = referencesTo(collection, id);
  const timeline = collection === "systems" ? obligationsPanel(id) : null;
  const history = entityHistory(collection, id);
  const traced = trace ? api(trace.path(id)) : null;
  const stop = new AbortController();
  const gaps = gapsAbout(id, stop.signal);
  const [entity, meta] = await Promise.all([entityAnswer, info]).catch((error) => {
    stop.abort();
    for (const p of [referrers, timeline, traced, history]) if (p) p.catch(() => null); // the entity's error is shown
    throw error;
  });
  const fields = meta.collections[collection].columns
    .filter((c) => entity[c.name] !== null && entity[c.name] !== undefined && !(Array.isArray(entity[c.name]) && !entity[c.name].length))
    .map((c) => [c.name.replaceAll("_", " "), valueCell(meta, collection, c.name, entity[c.name])]);
  const iri = `https://w3id.org/aimstrace/data/${IRI_KIND[collection]}/${encodeURIComponent(id)}`;
  const parts = [heading(`${entity.id} ${entity.label || ""}`.trim(), COLLECTION_TITLES[collection] || collection),
    el("section", { class: "panel", "aria-label": "Fields" }, fieldList(fields)), slot("referrers", referrers)];
  if (timeline) parts.push(slot("obligations", timeline));
  if (trace) {
    parts.push(slot("trace", traced.then((answer) => {
      // An impact answer comes a page at a time (500 rows) after the counts of all of it.
      const rows = answer.rows || [];
      const shown = answer.next_cursor ? `${answer.summary.rows} links; the first ${rows.length} drawn` : `${rows.length} links`;
      return [answer.summary ? impactCounts(answer.summary.by_category) : "",
        tracePanel({ id, label: entity.label, iri }, rows, { title: `${trace.title} (${shown})`, csvName: `${id}-trace.csv` })];
    })));
  }
  parts.push(gaps, slot("history", history));
  return el("div", {}, parts);
}

// A panel's place on the page: a loading line until its answer, then the panel (or the problem).
function slot(name, promise) {
  const box = el("div", { class: "slot", "data-panel": name }, loading());
  promise.then((content) => box.replaceChildren(...[].concat(content)),
    (error) => box.replaceChildren(el("section", { class: "panel" }, el("p", { class: "problem" }, error.message))));
  return box;
}

function impactCounts(totals) {
  return el("section", { class: "panel", "aria-labelledby": "reach-h", id: "impact-counts" }, el("h2", { id: "reach-h" }, "Reached, by kind"),
    fieldList(Object.entries(totals).map(([kind, n]) => [kind, String(n)])));
}

const REFERRERS_SHOWN = 50; // per register column at first; a dataset may feed thousands of systems
const REFERRERS_MORE = 200; // asked per "show more"

// Entities of other registers that name this one (e.g. the systems a dataset feeds), from
// the store's index around this entity: one request gives the counts of every register column
// and each column's first entries (per_group), each column asks for more on request.
async function referencesTo(collection, id) {
  const base = `/${collection}/${encodeURIComponent(id)}/referrers`;
  const first = await api(`${base}?limit=${REFERRERS_SHOWN}&per_group=true`);
  if (!first.groups.length) return el("div", { hidden: true });
  const entries = first.groups.map((group) => {
    const items = first.items.filter((r) => r.collection === group.collection && r.column === group.column);
    return [`${COLLECTION_TITLES[group.collection] || group.collection} (${group.column.replaceAll("_", " ")}): ${group.total}`,
      referrerList(base, id, group, items, group.next_cursor)];
  });
  return el("section", { class: "panel", "aria-labelledby": "refs-h" }, el("h2", { id: "refs-h" }, "Named by"), fieldList(entries));
}

// cursor: where the column's own pages go on; null: from its start (skipping those shown).
function referrerList(base, id, group, items, cursor) {
  const shown = new Set();
  const list = el("span", { class: "referrers", "data-collection": group.collection, "data-column": group.column });
  const add = (rows) => {
    for (const r of rows) {
      if (shown.has(r.id)) continue;
      list.append(shown.size ? ", " : "", link(entityPath(group.collection, r.id), `${r.id} ${r.label || ""}`.trim()));
      shown.add(r.id);
    }
  };
  add(items);
  const more = el("button", { type: "button", class: "secondary more" });
  const filtered = link(`/ui/${group.collection}?${encodeURIComponent(group.column)}=${encodeURIComponent(id)}`, "list them");
  const tail = el("span", { class: "referrers-tail" });
  let started = cursor !== null;
  const update = () => {
    const left = group.total - shown.size;
    more.textContent = `Show ${Math.min(left, REFERRERS_MORE)} more`;
    tail.replaceChildren(...(left > 0 ? [` and ${left} more `, more, " or ", filtered] : []));
  };
  more.addEventListener("click", async () => {
    more.disabled = true;
    // The group's own pages; its first entries may be on the page above already (skipped).
    const params = new URLSearchParams({ collection: group.collection, column: group.column, limit: String(REFERRERS_MORE) });
    if (cursor) params.set("cursor", cursor);
    else if (started) return;
    started = true;
    try {
      const page = await api(`${base}?${params}`);
      add(page.items);
      cursor = page.next_cursor;
      if (!cursor && shown.size < group.total) group.total = shown.size; // changed meanwhile
    } catch (error) {
      showError(error.message);
    }
    more.disabled = false;
    update();
  });
  update();
  return el("span", {}, list, tail);
}

// Gaps shown once today's gap report exists; until then the panel says the validation runs.
// Asked beside the entity itself (signal: stop asking when the entity turns out not to exist).
function gapsAbout(id, signal) {
  const title = el("h2", { id: "egaps-h" }, `Open gaps mentioning ${id}`);
  const body = el("div", { id: "entity-gaps" });
  whenReady("/gaps/status?start=true", body, async () => {
    const page = await api(`/gaps?q=${encodeURIComponent(id)}&limit=50`);
    title.textContent = `Open gaps mentioning ${id} (${page.total})`;
    return [page.items.length ? el("ul", {}, page.items.map((g) => el("li", {},
      el("span", { class: `sev sev-${g.severity}` }, g.severity), " ",
      g.requirement ? link(requirementPath(g.framework, g.requirement), `${FRAMEWORK_NAMES[g.framework] || g.framework} ${g.requirement}`) : "",
      " ", g.message))) : el("p", {}, "None."),
    page.total > page.items.length ? el("p", {}, link(`/ui/gaps?q=${encodeURIComponent(id)}`, "All of them in the gap report")) : ""];
  }, { signal });
  return el("section", { class: "panel", "aria-labelledby": "egaps-h" }, title, body);
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
  const gapsTitle = el("h2", {}, "Open gaps against it");
  const gapsBody = whenReady("/gaps/status?start=true", el("div", { id: "requirement-gaps" }), async () => {
    const gaps = await api(`/gaps?framework=${encodeURIComponent(framework)}&requirement=${encodeURIComponent(notation)}&limit=50`);
    gapsTitle.textContent = `Open gaps against it (${gaps.total})`;
    return gaps.items.length ? el("ul", {}, gaps.items.map((g) => el("li", {}, el("span", { class: `sev sev-${g.severity}` }, g.severity), " ",
      iriLink(g.focus, g.focus_label), ": ", g.message))) : el("p", {}, "None.");
  });
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
    el("section", { class: "panel" }, gapsTitle, gapsBody));
}

// ----- start -------------------------------------------------------------------------------
const keyInput = $("#api-key");
keyInput.value = sessionStorage.getItem("aimstrace-key") || "";
keyInput.addEventListener("change", () => { sessionStorage.setItem("aimstrace-key", keyInput.value); route(); });
route();

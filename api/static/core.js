// Shared pieces of the workbench: API calls, DOM building, links between entities, sortable tables.
"use strict";

export const CATALOG = "https://w3id.org/aimstrace/catalog/";
export const DATA = "https://w3id.org/aimstrace/data/";

export const FRAMEWORK_NAMES = {
  iso42001: "ISO/IEC 42001",
  iso27001: "ISO/IEC 27001",
  "nist-ai-rmf": "NIST AI RMF",
  "nist-ai-600-1": "NIST AI 600-1",
  "eu-ai-act": "EU AI Act",
  iso27701: "ISO/IEC 27701",
  dpdp: "DPDP Act",
};

// IRI kind segment (data/<kind>/<id>) -> the collection the API and the workbench serve it under.
export const KIND_COLLECTION = {
  system: "systems", dataset: "datasets", model: "models", vendor: "vendors", person: "people",
  risk: "risks", control: "controls", treatment: "treatments", evidence: "evidence",
  incident: "incidents",
};
export const COLLECTION_TITLES = {
  systems: "AI systems", datasets: "Datasets", models: "Models", vendors: "Vendors",
  people: "People", risks: "Risks", controls: "Controls", treatments: "Treatments",
  evidence: "Evidence", incidents: "Incidents",
};

export const $ = (sel, root = document) => root.querySelector(sel);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function apiKey() {
  return sessionStorage.getItem("aimstrace-key") || "";
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function api(path, accept = "application/json") {
  const headers = { Accept: accept };
  const key = apiKey();
  if (key) headers["X-API-Key"] = key;
  const response = await fetch(path, { headers });
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    const detail = body && (body.detail || body.title);
    throw new ApiError(response.status, `${detail || response.statusText} (${response.status}, ${path})`);
  }
  return accept === "application/json" ? response.json() : response.blob();
}

// Every item of a paged collection: follows next_cursor until the end.
export async function allPages(path, size = 500) {
  const sep = path.includes("?") ? "&" : "?";
  let cursor = null;
  let first = null;
  const items = [];
  do {
    const page = await api(`${path}${sep}limit=${size}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    first = first || page;
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return { ...first, items };
}

let meta = null;
// The registers' columns and the API's documented routes (/ui/meta.json), asked once per page load.
export function registerMeta() {
  meta = meta || api("/ui/meta.json");
  return meta;
}

// Whether the API has a route, so panels appear when another module adds one.
export async function hasRoute(path) {
  const info = await registerMeta();
  return (info.routes || []).includes(path);
}

// Our catalogs' IRIs spell a notation's spaces as `_` (ontology/iris.py notation_slug); an
// imported framework's node IRI percent-encodes the identifier as written, `_` included
// (graph/crosswalk/external.py), so only decoding gives it back.
function notationOfLocal(framework, local) {
  const decoded = decodeURIComponent(local);
  return framework in FRAMEWORK_NAMES ? decoded.replaceAll("_", " ") : decoded;
}

export function uiPathOfIri(iri) {
  if (!iri) return null;
  if (iri.startsWith(CATALOG)) {
    const [framework, ...rest] = iri.slice(CATALOG.length).split("/");
    if (!rest.length) return null;
    return requirementPath(framework, notationOfLocal(framework, rest.join("/")));
  }
  if (iri.startsWith(DATA)) {
    const [kind, ...rest] = iri.slice(DATA.length).split("/");
    const collection = KIND_COLLECTION[kind];
    return collection && rest.length ? entityPath(collection, decodeURIComponent(rest.join("/"))) : null;
  }
  return null;
}

export function frameworkOfIri(iri) {
  return iri && iri.startsWith(CATALOG) ? iri.slice(CATALOG.length).split("/")[0] : "";
}

export function kindOfIri(iri) {
  if (iri && iri.startsWith(DATA)) return iri.slice(DATA.length).split("/")[0];
  if (iri && iri.startsWith(CATALOG)) return "requirement";
  return "";
}

// "SYS-001" for data IRIs, "EU AI Act Art. 10" for requirements, the last segment otherwise.
export function shortIri(iri) {
  if (!iri) return "";
  if (iri.startsWith(CATALOG)) {
    const [framework, ...rest] = iri.slice(CATALOG.length).split("/");
    const notation = notationOfLocal(framework, rest.join("/"));
    return `${FRAMEWORK_NAMES[framework] || framework} ${notation}`.trim();
  }
  if (iri.startsWith(DATA)) return decodeURIComponent(iri.split("/").pop());
  const hash = iri.lastIndexOf("#");
  return hash >= 0 ? iri.slice(hash + 1) : iri.split("/").pop();
}

export function entityPath(collection, id) {
  return `/ui/${collection}/${encodeURIComponent(id)}`;
}

export function requirementPath(framework, notation) {
  return `/ui/requirements/${encodeURIComponent(framework)}/${notation.split("/").map(encodeURIComponent).join("/")}`;
}

export function link(href, text, attrs = {}) {
  return href ? el("a", { href, ...attrs }, text) : el("span", attrs, text);
}

export function iriLink(iri, text) {
  return link(uiPathOfIri(iri), text || shortIri(iri), { title: iri });
}

export function frameworkBadge(framework) {
  return framework ? el("span", { class: `fw fw-${framework}` }, FRAMEWORK_NAMES[framework] || framework) : "";
}

export function setTitle(text) {
  document.title = text ? `${text} · aimstrace` : "aimstrace";
}

export function heading(text, sub) {
  setTitle(text);
  return el("div", { class: "page-head" }, el("h1", {}, text), sub ? el("p", { class: "sub" }, sub) : null);
}

export function loading(text = "Loading…") {
  return el("p", { class: "loading", role: "status" }, text);
}

export function csvText(columns, rows) {
  const quote = (v) => {
    const s = v === null || v === undefined ? "" : Array.isArray(v) ? v.join("; ") : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [columns.map((c) => quote(c.title)), ...rows.map((r) => columns.map((c) => quote(c.text ? c.text(r) : r[c.key])))]
    .map((line) => line.join(","))
    .join("\r\n") + "\r\n";
}

export function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// A table with sortable columns (buttons in the headers, aria-sort) and optional CSV export.
// columns: [{key, title, text?(row) -> string, cell?(row) -> Node, numeric?}]
export function sortableTable(columns, rows, { caption, csvName, id, empty = "Nothing to show." } = {}) {
  let sortKey = null;
  let ascending = true;
  const tbody = el("tbody");
  const headers = columns.map((col) => {
    const button = el("button", { type: "button", class: "sort" }, col.title);
    const th = el("th", { scope: "col", "aria-sort": "none" }, button);
    button.addEventListener("click", () => {
      ascending = sortKey === col.key ? !ascending : true;
      sortKey = col.key;
      for (const other of headers) other.setAttribute("aria-sort", "none");
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      render();
    });
    return th;
  });
  const valueOf = (col, row) => (col.text ? col.text(row) : row[col.key]) ?? "";
  function render() {
    let shown = rows;
    if (sortKey) {
      const col = columns.find((c) => c.key === sortKey);
      shown = [...rows].sort((a, b) => {
        const x = valueOf(col, a), y = valueOf(col, b);
        const order = col.numeric ? Number(x) - Number(y) : String(x).localeCompare(String(y), undefined, { numeric: true });
        return ascending ? order : -order;
      });
    }
    tbody.replaceChildren(...shown.map((row) => el("tr", {}, columns.map((col) =>
      el("td", { "data-col": col.key }, col.cell ? col.cell(row) : valueOf(col, row))))));
    if (!shown.length) tbody.append(el("tr", {}, el("td", { colspan: columns.length }, empty)));
  }
  render();
  const table = el("table", { id, class: "data" },
    caption ? el("caption", {}, caption) : null, el("thead", {}, el("tr", {}, headers)), tbody);
  const wrap = el("div", { class: "table-wrap" }, table);
  if (!csvName) return wrap;
  const exportButton = el("button", { type: "button", class: "secondary", "data-export": "csv" }, "Download CSV");
  exportButton.addEventListener("click", () => download(csvName, new Blob([csvText(columns, rows)], { type: "text/csv" })));
  return el("div", { class: "table-block" }, el("div", { class: "toolbar" }, exportButton), wrap);
}

export function fieldList(entries) {
  return el("dl", { class: "fields" }, entries.flatMap(([name, value]) => [el("dt", {}, name), el("dd", {}, value)]));
}

// Polls a status answer until it is final, showing progress in `box`, then fills `box` with
// render(answer). A full validation at scale takes minutes: pages never wait for it. Polling
// stops once the box, having been on the page, leaves it (the reader went elsewhere).
// A signal, when given, stops the polling once aborted.
export function whenReady(url, box, render, { every = 1500, done = (a) => a.state === "ready", describe = describeJob, signal } = {}) {
  let wasShown = false;
  const tick = async () => {
    if (signal && signal.aborted) return;
    if (box.isConnected) wasShown = true;
    else if (wasShown) return;
    let answer;
    try {
      answer = await api(url);
    } catch (error) {
      box.dataset.state = "failed";
      box.replaceChildren(el("p", { class: "problem" }, error.message));
      return;
    }
    if (done(answer)) {
      box.replaceChildren(...[].concat(await render(answer)));
      box.dataset.state = "ready";
    } else if (answer.state === "failed") {
      box.dataset.state = "failed";
      box.replaceChildren(el("p", { class: "problem" }, `The computation failed: ${answer.error}`));
    } else {
      box.dataset.state = answer.state || "running";
      box.replaceChildren(...[].concat(describe(answer)));
      setTimeout(tick, every);
    }
  };
  box.dataset.state = "running";
  box.replaceChildren(loading());
  tick();
  return box;
}

export function describeJob(status) {
  if (status.state === "not-run") return el("p", { class: "loading", role: "status" }, "Not computed yet.");
  const last = status.last_seconds ? ` (the last one took ${Math.round(status.last_seconds)} s)` : "";
  return el("p", { class: "loading", role: "status" },
    `Validation running for ${Math.round(status.seconds || 0)} s${last}; the gaps appear here when it is done.`);
}

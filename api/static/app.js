// aimstrace web page: search an entity, see its trace as a graph, the gap report, coverage.
// Plain DOM + SVG, no build step and no third-party code: it must work offline, served by the API.
"use strict";

const COLUMN_ORDER = ["root", "owner", "assessment", "annex-point", "model", "system", "dataset",
  "vendor", "risk", "treatment", "control", "requirement", "obligation", "evidence"];
const TRACE_ROUTE = {
  systems: (id) => `/systems/${encodeURIComponent(id)}/trace`,
  datasets: (id) => `/datasets/${encodeURIComponent(id)}/impact`,
  vendors: (id) => `/vendors/${encodeURIComponent(id)}/impact`,
  people: (id) => `/people/${encodeURIComponent(id)}/accountability`,
};

const $ = (sel) => document.querySelector(sel);

function showError(message) {
  const box = $("#error");
  box.textContent = message;
  box.hidden = !message;
}

async function api(path) {
  const headers = { Accept: "application/json" };
  const key = $("#api-key").value.trim();
  if (key) headers["X-API-Key"] = key;
  const response = await fetch(path, { headers });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = body && (body.detail || body.title);
    throw new Error(`${response.status} ${detail || response.statusText} (${path})`);
  }
  return body;
}

function items(body) {
  if (Array.isArray(body)) return body;
  if (body && Array.isArray(body.items)) return body.items;
  if (body && Array.isArray(body.rows)) return body.rows;
  return [];
}

function el(tag, attrs = {}, text) {
  const node = document.createElementNS(
    ["svg", "g", "rect", "text", "path", "title"].includes(tag) ? "http://www.w3.org/2000/svg" : "http://www.w3.org/1999/xhtml",
    tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// ----- explore -----------------------------------------------------------------------------
async function search(event) {
  event.preventDefault();
  showError("");
  const kind = $("#search-kind").value;
  const text = $("#search-text").value.trim().toLowerCase();
  const list = $("#search-results");
  list.replaceChildren();
  try {
    const found = items(await api(`/${kind}?limit=500`)).filter((item) =>
      !text || String(item.id).toLowerCase().includes(text) || String(item.label || "").toLowerCase().includes(text));
    for (const item of found.slice(0, 60)) {
      const button = el("button", { type: "button", "data-id": item.id }, `${item.id} · ${item.label || ""}`);
      button.addEventListener("click", () => showTrace(kind, item));
      const li = el("li");
      li.append(button);
      list.append(li);
    }
    if (!found.length) list.append(el("li", {}, "Nothing found."));
  } catch (error) {
    showError(error.message);
  }
}

async function showTrace(kind, item) {
  showError("");
  try {
    const rows = items(await api(TRACE_ROUTE[kind](item.id)));
    $("#trace-title").hidden = false;
    $("#trace-title").textContent = `${item.id} · ${item.label || ""}: ${rows.length} links`;
    drawGraph(item, rows);
    const body = $("#trace-table tbody");
    body.replaceChildren();
    for (const row of rows) {
      const tr = el("tr");
      for (const value of [row.category, row.identifier, row.label, row.via]) tr.append(el("td", {}, value ?? ""));
      body.append(tr);
    }
    $("#trace-table").hidden = false;
  } catch (error) {
    showError(error.message);
  }
}

function drawGraph(root, rows) {
  const nodes = new Map();
  const rootIri = rows.length && rows[0].via ? rows.find((r) => r.via)?.via : root.id;
  nodes.set(rootIri, { id: rootIri, label: `${root.id} ${root.label || ""}`, category: "root" });
  const edges = [];
  // Every entity first, so a node reached "via" another keeps that one's own category and label.
  for (const row of rows) {
    if (row.entity && !nodes.has(row.entity)) {
      nodes.set(row.entity, { id: row.entity, label: `${row.identifier || ""} ${row.label || ""}`.trim(), category: row.category });
    }
  }
  for (const row of rows) {
    if (!row.entity) continue;
    const from = row.via || rootIri;
    if (!nodes.has(from)) nodes.set(from, { id: from, label: from.split("/").pop(), category: row.category });
    edges.push([from, row.entity]);
  }
  const columns = new Map();
  for (const node of nodes.values()) {
    const col = Math.max(0, COLUMN_ORDER.indexOf(node.category));
    if (!columns.has(col)) columns.set(col, []);
    columns.get(col).push(node);
  }
  const order = [...columns.keys()].sort((a, b) => a - b);
  const width = 190, height = 26, gap = 40;
  let tallest = 0;
  order.forEach((col, x) => {
    columns.get(col).forEach((node, y) => { node.x = 10 + x * (width + gap); node.y = 10 + y * (height + 8); });
    tallest = Math.max(tallest, columns.get(col).length);
  });
  const svg = el("svg", { viewBox: `0 0 ${order.length * (width + gap) + 20} ${tallest * (height + 8) + 20}`, role: "img" });
  for (const [a, b] of edges) {
    const s = nodes.get(a), t = nodes.get(b);
    if (!s || !t || s === t) continue;
    svg.append(el("path", { class: "edge", d: `M${s.x + width},${s.y + height / 2} C${s.x + width + gap},${s.y + height / 2} ${t.x - gap},${t.y + height / 2} ${t.x},${t.y + height / 2}` }));
  }
  for (const node of nodes.values()) {
    const g = el("g", { class: "node", "data-category": node.category });
    g.append(el("rect", { x: node.x, y: node.y, width, height }));
    const label = node.label.length > 30 ? node.label.slice(0, 29) + "…" : node.label;
    g.append(el("text", { x: node.x + 6, y: node.y + 17 }, label));
    g.append(el("title", {}, `${node.category}: ${node.label}\n${node.id}`));
    svg.append(g);
  }
  $("#trace-graph").replaceChildren(svg);
}

// ----- gaps --------------------------------------------------------------------------------
async function loadGaps(event) {
  event.preventDefault();
  showError("");
  const asOf = $("#gaps-as-of").value;
  try {
    const report = await api(asOf ? `/gaps?as_of=${encodeURIComponent(asOf)}` : "/gaps");
    const counts = report.counts || {};
    $("#gaps-summary").textContent = `${report.conforms ? "Conforms" : "Does not conform"}: ` +
      `${counts.Violation || 0} violations, ${counts.Warning || 0} warnings, ${counts.Info || 0} info` +
      (report.total > (report.items || []).length ? ` (first ${report.items.length} of ${report.total} shown)` : "");
    const body = $("#gaps-table tbody");
    body.replaceChildren();
    for (const gap of report.items || report.results || []) {
      const tr = el("tr");
      tr.append(el("td", { class: `sev-${gap.severity}` }, gap.severity));
      tr.append(el("td", {}, `${gap.framework || ""} ${gap.requirement || ""}`.trim()));
      tr.append(el("td", {}, gap.focus_label || gap.focus || ""));
      tr.append(el("td", {}, gap.message || ""));
      body.append(tr);
    }
  } catch (error) {
    showError(error.message);
  }
}

// ----- coverage ----------------------------------------------------------------------------
async function loadCoverage(event) {
  event.preventDefault();
  showError("");
  const framework = $("#coverage-framework").value;
  try {
    const rows = items(await api(`/coverage?framework=${encodeURIComponent(framework)}`));
    const tally = { full: 0, partial: 0, none: 0 };
    const matrix = $("#coverage-matrix");
    matrix.replaceChildren();
    for (const row of rows) {
      tally[row.coverage] = (tally[row.coverage] || 0) + 1;
      const cell = el("span", { class: `cell ${row.coverage}`, title: `${row.notation}: ${row.coverage}` }, row.notation);
      matrix.append(cell);
    }
    $("#coverage-summary").textContent = `${rows.length} requirements: ${tally.full} fully, ${tally.partial} partly, ${tally.none} not covered`;
  } catch (error) {
    showError(error.message);
  }
}

function selectTab(name) {
  for (const button of document.querySelectorAll("nav button")) {
    button.setAttribute("aria-selected", String(button.dataset.tab === name));
  }
  for (const section of document.querySelectorAll(".tab")) section.hidden = section.id !== `tab-${name}`;
}

document.querySelectorAll("nav button").forEach((b) => b.addEventListener("click", () => selectTab(b.dataset.tab)));
$("#search-form").addEventListener("submit", search);
$("#gaps-form").addEventListener("submit", loadGaps);
$("#coverage-form").addEventListener("submit", loadCoverage);
$("#api-key").value = sessionStorage.getItem("aimstrace-key") || "";
$("#api-key").addEventListener("change", () => sessionStorage.setItem("aimstrace-key", $("#api-key").value));

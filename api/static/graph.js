// Trace and impact graphs (Cytoscape.js with the dagre layout), their table view and explain-path.
"use strict";

import {
  FRAMEWORK_NAMES, api, csvText, download, el, frameworkBadge, frameworkOfIri, iriLink,
  kindOfIri, link, shortIri, sortableTable, uiPathOfIri,
} from "./core.js";

// Cytoscape and its dagre layout (490 kB) are fetched only when a graph is shown.
let cytoscapeLoaded = null;
function script(src) {
  return new Promise((resolve, reject) => {
    const tag = el("script", { src });
    tag.addEventListener("load", resolve);
    tag.addEventListener("error", () => reject(new Error(`could not load ${src}`)));
    document.head.append(tag);
  });
}
export function loadCytoscape() {
  cytoscapeLoaded = cytoscapeLoaded || script("/ui/vendor/cytoscape/cytoscape.min.js")
    .then(() => script("/ui/vendor/cytoscape-dagre/cytoscape-dagre.min.js"));
  return cytoscapeLoaded;
}

// One colour per kind of node; the fill is light so the dark label keeps a 7:1 contrast.
export const KIND_STYLE = {
  root: { label: "this entity", color: "#1d2433", fill: "#ffffff" },
  owner: { label: "owner", color: "#6a3d9a", fill: "#efe6f7" },
  assessment: { label: "assessment", color: "#8c564b", fill: "#f3e9e6" },
  "annex-point": { label: "EU AI Act Annex III point", color: "#b03060", fill: "#f8e3ea" },
  system: { label: "AI system", color: "#1f5fa8", fill: "#e2edf9" },
  model: { label: "model", color: "#17807e", fill: "#ddf2f1" },
  dataset: { label: "dataset", color: "#2c7a2c", fill: "#e3f3e3" },
  vendor: { label: "vendor", color: "#9a6a00", fill: "#f8efd9" },
  risk: { label: "risk", color: "#b8321e", fill: "#fbe5e1" },
  treatment: { label: "treatment", color: "#c25e00", fill: "#fcebdc" },
  control: { label: "control", color: "#3b4cc0", fill: "#e5e8fa" },
  requirement: { label: "requirement (mapped)", color: "#0d6e91", fill: "#dff0f6" },
  obligation: { label: "obligation (via crosswalk)", color: "#4d5a6e", fill: "#e9ecf1" },
  evidence: { label: "evidence", color: "#5e6b1e", fill: "#eef2da" },
  other: { label: "other", color: "#555f70", fill: "#eceef2" },
};
const RANK = ["root", "owner", "assessment", "annex-point", "system", "model", "dataset", "vendor",
  "risk", "treatment", "control", "evidence", "requirement", "obligation", "other"];
const IRI_KINDS = { person: "owner", "impact-assessment": "assessment", "risk-assessment": "assessment" };
const CATALOG_KINDS = new Set(["requirement", "obligation", "annex-point"]);
const GROUP_OVER = 6; // more nodes than this of one framework start as one group node
export const LABEL_PX = 13;

function styleOf(kind) {
  return KIND_STYLE[kind] || KIND_STYLE.other;
}

// Rows of a trace/impact/accountability answer -> nodes and edges.
export function graphModel(root, rows) {
  const nodes = new Map();
  const rootId = root.iri;
  nodes.set(rootId, { id: rootId, kind: "root", ident: root.id, label: root.label || "", framework: "" });
  for (const row of rows) {
    if (!row.entity || nodes.has(row.entity)) continue;
    const iriKind = kindOfIri(row.entity);
    const found = row.category || categoryOfKind(row.kind) || IRI_KINDS[iriKind] || iriKind;
    const kind = KIND_STYLE[found] ? found : "other"; // every kind drawn has a colour and a legend entry
    nodes.set(row.entity, {
      id: row.entity, kind, ident: row.identifier || shortIri(row.entity), label: row.label || "",
      framework: frameworkOfIri(row.entity),
    });
  }
  const edges = new Map();
  for (const row of rows) {
    if (!row.entity) continue;
    const from = row.via && nodes.has(row.via) ? row.via : rootId;
    if (from === row.entity) continue;
    edges.set(`${from}|${row.entity}`, { source: from, target: row.entity });
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()], hasVia: rows.some((r) => r.via) };
}

function categoryOfKind(kind) {
  const map = { AISystem: "system", ImplementedControl: "control", Risk: "risk", RiskTreatment: "treatment",
    Policy: "other", Dataset: "dataset", Model: "model", Vendor: "vendor" };
  return kind ? map[kind] || String(kind).toLowerCase() : "";
}

// Nodes of one framework (catalog kinds) or, in an impact answer without "via" links, of one kind
// beyond GROUP_OVER are folded into one group node until opened.
function groupKey(node, foldAll) {
  if (CATALOG_KINDS.has(node.kind) && node.framework) return `${node.framework}|${node.kind}`;
  return foldAll && node.kind !== "root" ? `|${node.kind}` : null;
}

function foldedElements(model, expanded) {
  const foldAll = !model.hasVia;
  const members = new Map();
  for (const node of model.nodes) {
    const key = groupKey(node, foldAll);
    if (!key) continue;
    if (!members.has(key)) members.set(key, []);
    members.get(key).push(node);
  }
  const groupOf = new Map();
  const groups = [];
  for (const [key, nodes] of members) {
    if (nodes.length <= GROUP_OVER || expanded.has(key)) continue;
    const [framework, kind] = key.split("|");
    const id = `group:${key}`;
    const noun = kind === "obligation" ? "obligations" : kind === "requirement" ? "requirements" : `${styleOf(kind).label}s`;
    groups.push({ id, kind, group: key, framework, ident: framework ? FRAMEWORK_NAMES[framework] || framework : "",
      label: `${nodes.length} ${noun} (click to open)` });
    for (const m of nodes) groupOf.set(m.id, id);
  }
  const elements = [];
  for (const node of [...model.nodes.filter((n) => !groupOf.has(n.id)), ...groups]) {
    const text = nodeText(node);
    elements.push({ group: "nodes", data: { ...node, text, ...boxOf(text), rank: RANK.indexOf(node.kind),
      order: `${node.framework || ""} ${node.ident}` } });
  }
  const seen = new Set();
  for (const edge of model.edges) {
    const source = groupOf.get(edge.source) || edge.source;
    const target = groupOf.get(edge.target) || edge.target;
    const key = `${source}|${target}`;
    if (source === target || seen.has(key)) continue;
    seen.add(key);
    elements.push({ group: "edges", data: { id: `e:${key}`, source, target } });
  }
  return elements;
}

// Box size from the wrapped text (cytoscape's width: label is deprecated); ~0.56 em per char.
const CHAR_PX = LABEL_PX * 0.56;
const WRAP_PX = 210;
function boxOf(text) {
  let lines = 0;
  let widest = 0;
  for (const line of text.split("\n")) {
    const px = line.length * CHAR_PX;
    lines += Math.max(1, Math.ceil(px / WRAP_PX));
    widest = Math.max(widest, Math.min(px, WRAP_PX));
  }
  return { w: Math.round(widest + 18), h: Math.round(lines * LABEL_PX * 1.3 + 12) };
}

// "EU AI Act Art. 10" on the first line for requirements, so the framework is always in view.
function nodeText(node) {
  const ident = node.framework && !node.group ? `${FRAMEWORK_NAMES[node.framework] || node.framework} ${node.ident}` : node.ident;
  const label = node.label && node.label !== node.ident ? node.label : "";
  return [ident, label].filter(Boolean).join("\n");
}

function cyStyle() {
  const base = [
    { selector: "node", style: {
      shape: "round-rectangle", label: "data(text)", "font-size": LABEL_PX, "font-family": "system-ui, sans-serif",
      "text-wrap": "wrap", "text-max-width": WRAP_PX, "text-valign": "center", "text-halign": "center",
      color: "#1d2433", "border-width": 2, "min-zoomed-font-size": 0,
    } },
    { selector: "node[w]", style: { width: "data(w)", height: "data(h)" } },
    { selector: "node[group]", style: { "border-style": "double", "border-width": 4 } },
    { selector: "edge", style: { width: 1.5, "line-color": "#9aa3b5", "target-arrow-color": "#9aa3b5",
      "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 0.8 } },
    { selector: ".faded", style: { opacity: 0.25 } },
    { selector: ".path", style: { "line-color": "#d62728", "target-arrow-color": "#d62728", width: 4, "border-color": "#d62728", "border-width": 4 } },
    { selector: "node:selected", style: { "border-color": "#d62728", "border-width": 4 } },
  ];
  for (const [kind, s] of Object.entries(KIND_STYLE)) {
    base.splice(2, 0, { selector: `node[kind = '${kind}']`, style: { "background-color": s.fill, "border-color": s.color } });
  }
  return base;
}

function legend(kinds) {
  return el("ul", { class: "legend", "aria-label": "Legend" },
    kinds.map((kind) => el("li", {}, el("span", { class: "swatch", style: `background:${styleOf(kind).fill};border-color:${styleOf(kind).color}` }), styleOf(kind).label)),
    el("li", {}, el("span", { class: "swatch group" }), "folded group (click to open)"));
}

// The whole graph panel: toolbar, canvas, legend, explain path, and the table view.
export function tracePanel(root, rows, { title, csvName }) {
  const model = graphModel(root, rows);
  const expanded = new Set();
  const canvas = el("div", { class: "graph", id: "trace-graph", role: "img",
    "aria-label": `${title}: graph of ${model.nodes.length} nodes; the table below lists the same links` });
  const status = el("p", { class: "graph-status", "aria-live": "polite" });
  let cy = null;

  function draw() {
    const started = performance.now();
    if (cy) cy.destroy();
    cy = window.cytoscape({
      container: canvas, elements: foldedElements(model, expanded), style: cyStyle(),
      layout: { name: "preset" }, minZoom: 0.15, maxZoom: 3, boxSelectionEnabled: false,
    });
    // An impact answer says what is reached, not through what: columns by kind keep it readable.
    const impactOrder = ["dataset", "model", "system", "vendor", "owner", "risk", "treatment", "control", "requirement", "obligation"];
    const minLen = (edge) => model.hasVia ? 1 : Math.max(1, impactOrder.indexOf(edge.target().data("kind")) + 1);
    cy.layout({ name: "dagre", rankDir: "LR", nodeSep: 12, rankSep: 70, edgeSep: 6, animate: false, fit: false, minLen,
      sort: (a, b) => String(a.data("order")).localeCompare(String(b.data("order")), undefined, { numeric: true }) }).run();
    readableView();
    canvas.dataset.layoutMs = String(Math.round(performance.now() - started));
    canvas.dataset.nodes = String(cy.nodes().length);
    cy.on("tap", "node", (event) => {
      const data = event.target.data();
      if (data.group) {
        expanded.add(data.group);
        draw();
        return;
      }
      const href = uiPathOfIri(data.id);
      if (href && data.kind !== "root") window.aimstraceNavigate(href);
    });
    status.textContent = `${model.nodes.length} nodes, ${model.edges.length} links; scroll or pinch to zoom, drag to pan, click a node to open it.`;
    window.aimstraceGraph = cy;
  }

  // Fit when that keeps labels at 100 % size or more; otherwise start at 100 % on the root.
  function readableView() {
    cy.fit(undefined, 24);
    if (cy.zoom() < 1) {
      cy.zoom(1);
      const rootNode = cy.getElementById(root.iri);
      const box = rootNode.renderedBoundingBox();
      cy.panBy({ x: 24 - box.x1, y: canvas.clientHeight / 2 - (box.y1 + box.y2) / 2 });
    }
  }

  const zoomBy = (factor) => cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: canvas.clientWidth / 2, y: canvas.clientHeight / 2 } });
  const toolbar = el("div", { class: "toolbar", role: "toolbar", "aria-label": "Graph view" },
    el("button", { type: "button", onclick: () => zoomBy(1.25), "aria-label": "Zoom in" }, "+"),
    el("button", { type: "button", onclick: () => zoomBy(0.8), "aria-label": "Zoom out" }, "−"),
    el("button", { type: "button", onclick: () => cy.fit(undefined, 24) }, "Fit all"),
    el("button", { type: "button", onclick: readableView }, "100 %"),
    el("button", { type: "button", onclick: () => { for (const n of model.nodes) expanded.add(groupKey(n, !model.hasVia)); draw(); } }, "Open all groups"),
    el("button", { type: "button", onclick: () => { expanded.clear(); draw(); } }, "Fold groups"));
  const kinds = [...new Set(model.nodes.map((n) => n.kind))].sort((a, b) => RANK.indexOf(a) - RANK.indexOf(b));
  const section = el("section", { class: "panel", "aria-labelledby": "graph-h" },
    el("h2", { id: "graph-h" }, title), toolbar, canvas, status, legend(kinds),
    explainPath(root, model, () => cy), traceTable(model, rows, root, csvName));
  // Laid out once the panel is on the page: cytoscape measures its container.
  const start = () => (canvas.isConnected && canvas.clientWidth ? draw() : requestAnimationFrame(start));
  loadCytoscape().then(() => requestAnimationFrame(start), (error) => { status.textContent = error.message; });
  return section;
}

function explainPath(root, model, getCy) {
  const options = model.nodes.filter((n) => n.kind !== "root")
    .map((n) => el("option", { value: n.id }, `${n.ident} ${n.label}`.trim()));
  const select = el("select", { id: "path-to" }, options);
  const out = el("ol", { class: "path-steps", id: "path-steps" });
  const form = el("form", { class: "inline", "aria-label": "Explain path" },
    el("label", { for: "path-to" }, `Explain the path from ${root.id} to`), select,
    el("button", { type: "submit" }, "Explain"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren(el("li", {}, "Looking…"));
    const steps = await api(`/paths?from=${encodeURIComponent(root.iri)}&to=${encodeURIComponent(select.value)}`);
    out.replaceChildren(...steps.map((s) => el("li", {}, iriLink(s.source), ` ${s.inverse ? "is linked by" : "→"} `,
      el("code", {}, shortIri(s.relation)), ` ${s.inverse ? "from" : "→"} `, iriLink(s.target))));
    if (!steps.length) out.append(el("li", {}, "Not connected."));
    const cy = getCy();
    cy.elements().removeClass("path faded");
    const ids = new Set(steps.flatMap((s) => [s.source, s.target]));
    const hit = cy.nodes().filter((n) => ids.has(n.id()));
    if (hit.length) {
      cy.elements().addClass("faded");
      hit.removeClass("faded").addClass("path");
      hit.edgesWith(hit).removeClass("faded").addClass("path");
    }
  });
  return el("div", { class: "explain" }, form, out);
}

function traceTable(model, rows, root, csvName) {
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  const data = rows.map((r) => {
    const node = byId.get(r.entity) || {};
    return { kind: node.kind || r.category || r.responsibility, framework: frameworkOfIri(r.entity), id: r.identifier || shortIri(r.entity),
      label: r.label || "", entity: r.entity, via: r.via || root.iri, responsibility: r.responsibility };
  });
  const columns = [
    { key: "kind", title: "kind", text: (r) => r.responsibility ? `${r.kind} (${r.responsibility})` : r.kind },
    { key: "framework", title: "framework", text: (r) => FRAMEWORK_NAMES[r.framework] || "", cell: (r) => frameworkBadge(r.framework) },
    { key: "id", title: "id", cell: (r) => link(uiPathOfIri(r.entity), r.id, { title: r.entity }) },
    { key: "label", title: "label" },
    { key: "via", title: "reached via", text: (r) => shortIri(r.via), cell: (r) => iriLink(r.via) },
  ];
  return el("details", { class: "table-view", open: true },
    el("summary", {}, `Table view (${data.length} rows)`),
    sortableTable(columns, data, { id: "trace-table", csvName }));
}

export { csvText, download };

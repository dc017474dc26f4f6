// The gap report: filters (kept in the URL), grouping, one page of findings at a time, downloads.
"use strict";

import {
  FRAMEWORK_NAMES, api, describeJob, download, el, entityPath, frameworkBadge, heading, iriLink, link, requirementPath,
  whenReady,
} from "./core.js";

const FILTERS = ["as_of", "severity", "framework", "requirement", "system", "owner", "q"];
const PAGE = 100;
// Facet values listed per filter: an AI system facet at scale has thousands, and a select of
// 7,000 options took most of a second to lay out. Past this, the filter is a text field
// offering the values with most gaps.
const FACET_SHOWN = 200;

function idOf(label) {
  return label ? label.split(" ")[0] : "";
}

function apiQuery(params, extra = {}) {
  const out = new URLSearchParams();
  for (const name of FILTERS) if (params.get(name)) out.set(name, params.get(name));
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null && v !== "") out.set(k, v);
  return out.toString();
}

const TITLE = "Gap report";
const SUB = "What the completeness shapes find on the evaluation date, tied to the requirement each one enforces.";

// The report's validation may take minutes on a large store: it starts in the background and
// the page shows that it runs until the report is there.
export async function gapsView(query) {
  const asOf = query.get("as_of");
  const url = `/gaps/status?start=true${asOf ? `&as_of=${encodeURIComponent(asOf)}` : ""}`;
  const status = await api(url);
  if (status.state === "ready") return gapsContent(query);
  return whenReady(url, el("div", { id: "gaps-waiting" }), () => gapsContent(query),
    { describe: (s) => [heading(TITLE, SUB), describeJob(s)] });
}

async function gapsContent(query) {
  const group = query.get("group") || "";
  const first = await api(`/gaps?${apiQuery(query, { limit: PAGE, facets: "true", facet_limit: FACET_SHOWN, group_by: group })}`);
  const facets = first.facets || {};
  const totals = first.facet_totals || {};
  const filterField = (name, label, options) => { // a select, or a text field past FACET_SHOWN
    if ((totals[name] || 0) <= options.length) {
      return el("div", {}, el("label", { for: `gf-${name}` }, label),
        el("select", { id: `gf-${name}`, name }, el("option", { value: "" }, "all"),
          options.map((o) => el("option", { value: o.value, selected: query.get(name) === o.value }, `${o.text} (${o.count})`))));
    }
    return el("div", {}, el("label", { for: `gf-${name}` }, `${label} (id; ${totals[name]} in all)`),
      el("input", { id: `gf-${name}`, name, type: "search", list: `gf-${name}-values`, value: query.get(name) || "",
        placeholder: `the ${options.length} with most gaps are offered`, autocomplete: "off" }),
      el("datalist", { id: `gf-${name}-values` }, options.map((o) => el("option", { value: o.value }, `${o.text} (${o.count})`))));
  };
  const form = el("form", { class: "filters", id: "gaps-form", "aria-label": "Filter the gap report" },
    el("div", {}, el("label", { for: "gf-as_of" }, "As of"), el("input", { id: "gf-as_of", name: "as_of", type: "date", value: first.as_of })),
    filterField("severity", "Severity", (facets.severity || []).map((f) => ({ value: f.value, text: f.value, count: f.count }))),
    filterField("framework", "Framework", (facets.framework || []).map((f) => ({ value: f.value, text: FRAMEWORK_NAMES[f.value] || f.value, count: f.count }))),
    filterField("requirement", "Requirement", (facets.requirement || []).map((f) => ({ value: f.value, text: `${FRAMEWORK_NAMES[f.framework] || f.framework} ${f.value}${f.title ? ` ${f.title}` : ""}`, count: f.count }))),
    filterField("system", "AI system", (facets.system || []).map((f) => ({ value: f.value, text: f.label, count: f.count }))),
    filterField("owner", "Owner", (facets.owner || []).map((f) => ({ value: f.value, text: f.label, count: f.count }))),
    el("div", {}, el("label", { for: "gf-q" }, "Text"), el("input", { id: "gf-q", name: "q", type: "search", value: query.get("q") || "" })),
    el("div", {}, el("label", { for: "gf-group" }, "Group by"), el("select", { id: "gf-group", name: "group" },
      [["", "no grouping"], ["requirement", "requirement"], ["system", "AI system"], ["owner", "owner"]].map(([v, t]) =>
        el("option", { value: v, selected: group === v }, t)))),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Apply"), link("/ui/gaps", "Clear")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) params.set(k, v);
    window.aimstraceNavigate(`/ui/gaps${params.toString() ? `?${params}` : ""}`);
  });
  form.addEventListener("change", (event) => { if (event.target.tagName === "SELECT") form.requestSubmit(); });

  const c = first.counts || {};
  const summary = el("p", { class: "summary", id: "gaps-summary" },
    `As of ${first.as_of}: ${first.conforms ? "conforms" : "does not conform"}. All findings: ${c.Violation || 0} violations, ${c.Warning || 0} warnings, ${c.Info || 0} info. `,
    el("strong", {}, `${first.total} match the filters.`));
  const downloads = el("div", { class: "toolbar", "aria-label": "Download" }, el("span", {}, "Download: "),
    [["html", "HTML"], ["md", "Markdown"], ["csv", "CSV"], ["json", "JSON"], ["xlsx", "XLSX"]].map(([fmt, text]) =>
      el("button", { type: "button", class: "secondary", "data-download": fmt, onclick: async () => {
        const blob = await api(`/reports/gaps?${apiQuery(query, { format: fmt })}`, "*/*");
        download(`gaps-${first.as_of}.${fmt}`, blob);
      } }, text)));
  const body = group ? groupsBlock(query, first, group) : pagedTable(query, first);
  return el("div", {}, heading(TITLE, SUB),
    form, summary, downloads, body);
}

function groupsBlock(query, first, group) {
  return el("div", { class: "groups", id: "gap-groups" }, (first.groups || []).map((g) => {
    const box = el("details", { class: "group", "data-key": g.key });
    const counts = ["Violation", "Warning", "Info"].filter((s) => g.counts[s]).map((s) => `${g.counts[s]} ${s}`).join(", ");
    box.append(el("summary", {}, el("span", { class: "gkey" }, groupTitle(group, g)), ` (${counts})`));
    box.addEventListener("toggle", async () => {
      if (!box.open || box.dataset.loaded) return;
      box.dataset.loaded = "1";
      const params = new URLSearchParams(query);
      params.delete("group");
      params.set(group, g.value);
      const page = await api(`/gaps?${apiQuery(params, { limit: PAGE })}`);
      box.append(pagedTable(params, page));
    });
    return box;
  }));
}

function groupTitle(group, g) {
  if (group === "requirement" && g.framework) return `${FRAMEWORK_NAMES[g.framework] || g.framework} ${g.value}${g.title ? ` ${g.title}` : ""}`;
  return g.label || g.key;
}

// One page of findings; "next" follows the API's cursor, "previous" goes back along the trail.
function pagedTable(query, first) {
  const tbody = el("tbody");
  const status = el("span", { class: "pager-status", "aria-live": "polite" });
  const prev = el("button", { type: "button", class: "secondary" }, "Previous page");
  const next = el("button", { type: "button", class: "secondary" }, "Next page");
  const trail = [null];
  let page = first;
  function render() {
    tbody.replaceChildren(...page.items.map(row));
    if (!page.items.length) tbody.append(el("tr", {}, el("td", { colspan: 6 }, "No gaps match.")));
    const start = (trail.length - 1) * page.limit;
    status.textContent = page.total ? `${start + 1}–${start + page.items.length} of ${page.total}` : "";
    prev.disabled = trail.length <= 1;
    next.disabled = !page.next_cursor;
  }
  async function go(cursor) {
    page = await api(`/gaps?${apiQuery(query, { limit: PAGE, cursor })}`);
    render();
  }
  next.addEventListener("click", () => { trail.push(page.next_cursor); go(page.next_cursor); });
  prev.addEventListener("click", () => { trail.pop(); go(trail[trail.length - 1]); });
  render();
  const table = el("table", { class: "data gaps", id: "gaps-table" },
    el("thead", {}, el("tr", {}, ["severity", "requirement", "where", "AI system", "owner", "finding"].map((t) => el("th", { scope: "col" }, t)))), tbody);
  return el("div", {}, el("div", { class: "table-wrap" }, table), el("div", { class: "pager" }, prev, status, next));
}

function row(g) {
  return el("tr", { "data-severity": g.severity },
    el("td", {}, el("span", { class: `sev sev-${g.severity}` }, g.severity)),
    el("td", {}, g.requirement ? [frameworkBadge(g.framework), " ", link(requirementPath(g.framework, g.requirement), g.requirement),
      g.requirement_title ? el("div", { class: "why" }, g.requirement_title) : null] : "—"),
    el("td", {}, iriLink(g.focus, g.focus_label), g.path ? el("div", { class: "why" }, el("code", {}, g.path)) : null),
    el("td", {}, g.system ? link(entityPath("systems", idOf(g.system)), g.system) : "—"),
    el("td", {}, g.owner ? link(entityPath("people", idOf(g.owner)), g.owner) : "—"),
    el("td", {}, g.message, g.shown_value ? el("div", { class: "value" }, "value: ", el("code", {}, g.shown_value)) : null));
}

// The coverage matrix: every requirement of a framework, coloured by how the controls cover it.
"use strict";

import {
  FRAMEWORK_NAMES, allPages, api, el, entityPath, heading, link, requirementPath,
} from "./core.js";

const STATES = [
  ["full", "fully covered"],
  ["partial", "partly covered"],
  ["none", "not covered"],
];

export async function coverageView(query) {
  const frameworks = await api("/frameworks");
  const framework = query.get("framework") || frameworks[0].id;
  const data = await allPages(`/coverage?framework=${encodeURIComponent(framework)}`);
  const summary = data.summary || {};
  const kinds = [...new Set(data.items.map((r) => r.kind))].sort();
  const detail = el("aside", { class: "panel detail", id: "coverage-detail", "aria-live": "polite" },
    el("p", {}, "Choose a requirement to see the control → mapping path that justifies its coverage."));

  const choose = el("select", { id: "cov-framework", name: "framework" },
    frameworks.map((f) => el("option", { value: f.id, selected: f.id === framework }, FRAMEWORK_NAMES[f.id] || f.id)));
  choose.addEventListener("change", () => window.aimstraceNavigate(`/ui/coverage?framework=${encodeURIComponent(choose.value)}`));
  const stateBoxes = STATES.map(([state, text]) => el("label", { class: "check" },
    el("input", { type: "checkbox", name: "state", value: state, checked: true }), el("span", { class: `cov cov-${state}` }, state), ` ${text} (${summary[state] || 0})`));
  const kindSelect = el("select", { id: "cov-kind" }, el("option", { value: "" }, "every kind"), kinds.map((k) => el("option", { value: k }, k)));
  const text = el("input", { id: "cov-text", type: "search", placeholder: "notation or title" });
  const shownCount = el("span", { id: "cov-shown" });
  const form = el("form", { class: "filters", "aria-label": "Filter the matrix", onsubmit: (e) => e.preventDefault() },
    el("div", {}, el("label", { for: "cov-framework" }, "Framework"), choose),
    el("fieldset", {}, el("legend", {}, "Coverage (legend)"), stateBoxes),
    el("div", {}, el("label", { for: "cov-kind" }, "Kind"), kindSelect),
    el("div", {}, el("label", { for: "cov-text" }, "Find"), text));

  const cells = data.items.map((row) => {
    const cell = el("button", {
      type: "button", class: `cell cov-${row.coverage}`, "data-notation": row.notation, "data-coverage": row.coverage,
      "data-kind": row.kind, "aria-label": `${row.notation} ${row.title || ""}: ${row.coverage}`,
    }, el("span", { class: "n" }, row.notation), el("span", { class: "t" }, row.title || ""));
    cell.addEventListener("click", () => showDetail(detail, framework, row));
    return cell;
  });
  const grid = el("div", { class: "matrix-grid", id: "coverage-matrix" }, cells);

  function apply() {
    const states = new Set(stateBoxes.map((l) => l.querySelector("input")).filter((i) => i.checked).map((i) => i.value));
    const kind = kindSelect.value;
    const needle = text.value.trim().toLowerCase();
    let shown = 0;
    data.items.forEach((row, i) => {
      const visible = states.has(row.coverage) && (!kind || row.kind === kind) &&
        (!needle || `${row.notation} ${row.title || ""}`.toLowerCase().includes(needle));
      cells[i].hidden = !visible;
      shown += visible ? 1 : 0;
    });
    shownCount.textContent = `${shown} of ${data.items.length} requirements shown`;
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  apply();
  return el("div", {},
    heading(`Coverage: ${FRAMEWORK_NAMES[framework] || framework}`,
      "How the organisation's implemented controls cover each requirement, directly (ISO 42001) or through the crosswalks."),
    el("p", { class: "summary", id: "coverage-summary" },
      `${data.total} requirements: ${summary.full || 0} fully, ${summary.partial || 0} partly, ${summary.none || 0} not covered.`),
    form, el("p", { class: "sub" }, shownCount),
    el("div", { class: "split" }, grid, detail));
}

function showDetail(detail, framework, row) {
  detail.replaceChildren(
    el("h2", {}, link(requirementPath(framework, row.notation), `${FRAMEWORK_NAMES[framework] || framework} ${row.notation}`), " ", row.title || ""),
    el("p", {}, el("span", { class: `cov cov-${row.coverage}` }, row.coverage), ` · ${row.kind}`),
    row.paths && row.paths.length ? coveragePaths(row, framework) : el("p", {}, "No implemented control reaches this requirement."));
}

// control -> implements (ISO 42001) -> mapping(s) -> the requirement, one line per justifying path.
export function coveragePaths(entry, framework) {
  return el("ol", { class: "cov-paths" }, entry.paths.map((p) => el("li", {},
    link(entityPath("controls", p.control), `${p.control} ${p.control_label || ""}`.trim()), " implements ",
    link(requirementPath("iso42001", p.implements), `ISO/IEC 42001 ${p.implements}`),
    p.mappings.map((m, i) => el("span", {}, ` — ${m.relationship} (${m.status}${m.strength ? `, strength ${m.strength}` : ""}) → `,
      i === p.mappings.length - 1 ? link(requirementPath(framework, m.object), `${FRAMEWORK_NAMES[framework] || framework} ${m.object}`) : m.object,
      m.justification ? el("div", { class: "why" }, m.justification) : null)))));
}

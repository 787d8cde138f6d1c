(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("flowspec-data").textContent);
  const scenarios = Array.from(document.querySelectorAll(".scenario"));
  const features = Array.from(document.querySelectorAll(".feature"));
  const drawings = new Map();
  document.querySelectorAll("svg.flow-svg").forEach(
    (svg) => drawings.set(svg.dataset.flowIndex, svg));
  const search = document.getElementById("search");
  const shown = document.getElementById("shown");
  const toolbar = document.getElementById("toolbar");
  const pane = document.getElementById("flows");
  let texts = null;
  let marked = [];

  const pressed = (selector) => Array.from(document.querySelectorAll(selector))
    .filter((b) => b.getAttribute("aria-pressed") === "true");

  function textOf(scenario) {
    const intro = scenario.closest(".feature").querySelector(".feature-intro");
    return (intro.textContent + " " + scenario.textContent).toLowerCase();
  }

  function filter() {
    const statuses = new Set(pressed("[data-status-filter]").map((b) => b.dataset.statusFilter));
    const tags = pressed("[data-tag-filter]").map((b) => b.dataset.tagFilter);
    const query = search.value.trim().toLowerCase();
    if (query && texts === null) texts = scenarios.map(textOf);
    let count = 0;
    scenarios.forEach((scenario, i) => {
      const own = scenario.dataset.tags.split(" ");
      const visible = statuses.has(scenario.dataset.status)
        && tags.every((tag) => own.includes(tag))
        && (!query || texts[i].includes(query));
      scenario.classList.toggle("filtered-out", !visible);
      if (visible) count += 1;
    });
    features.forEach((feature) => feature.classList.toggle(
      "filtered-out", !feature.querySelector(".scenario:not(.filtered-out)")));
    shown.textContent = `Showing ${count} of ${scenarios.length} scenarios`;
  }

  function clearMarks() {
    marked.forEach(([element, name]) => element.classList.remove(name));
    marked = [];
  }

  function mark(element, name) {
    if (!element) return;
    element.classList.add(name);
    marked.push([element, name]);
  }

  // reveal: how to scroll the flows pane to the scenario's flow ("smooth", "instant"), or
  // null to leave it where it is.
  function select(scenario, reveal) {
    clearMarks();
    mark(scenario, "selected");
    const failed = ["failed", "error"].includes(scenario.dataset.status);
    const table = scenario.dataset.mark === undefined ? [] : data.marks[+scenario.dataset.mark];
    table.forEach(([flow, nodes, edges, last]) => {
      const svg = drawings.get(String(flow));
      mark(svg, "has-path");
      if (failed) mark(svg, "ended-failed");
      nodes.forEach((n) => mark(document.getElementById(`f${flow}n${n}`), "on-path"));
      edges.forEach((e) => mark(document.getElementById(`f${flow}e${e}`), "on-path"));
      if (last >= 0) mark(document.getElementById(`f${flow}n${last}`), "path-end");
    });
    history.replaceState(null, "", "#" + scenario.id);
    const link = scenario.querySelector("a.flow-link");
    if (reveal && link) revealFlow(document.getElementById(link.hash.slice(1)), reveal);
  }

  function revealFlow(section, behavior) {
    if (!section) return;
    if (getComputedStyle(pane).overflowY === "auto") {
      const margin = parseFloat(getComputedStyle(section).scrollMarginTop) || 0;
      const offset = section.getBoundingClientRect().top - pane.getBoundingClientRect().top;
      pane.scrollTo({ top: pane.scrollTop + offset - margin, behavior });
    }
  }

  document.getElementById("features").addEventListener("click", (event) => {
    const head = event.target.closest(".scenario-head");
    if (!head) return;
    const scenario = head.parentElement;
    if (event.target.closest("a.flow-link")) {
      select(scenario, null);
      return;
    }
    // The first click on a scenario opens it; clicks on the selected one fold and unfold it.
    if (scenario.classList.contains("selected")) scenario.classList.toggle("open");
    else scenario.classList.add("open");
    select(scenario, "smooth");
  });
  document.getElementById("features").addEventListener("keydown", (event) => {
    if ((event.key === "Enter" || event.key === " ") && event.target.matches(".scenario-head")) {
      event.preventDefault();
      event.target.click();
    }
  });
  document.querySelectorAll("[data-status-filter], [data-tag-filter]").forEach((button) => {
    button.addEventListener("click", () => {
      const on = button.getAttribute("aria-pressed") === "true";
      button.setAttribute("aria-pressed", String(!on));
      filter();
    });
  });
  search.addEventListener("input", filter);
  document.getElementById("expand-all").addEventListener("click", () => scenarios.forEach(
    (s) => s.classList.add("open")));
  document.getElementById("collapse-all").addEventListener("click", () => scenarios.forEach(
    (s) => s.classList.remove("open")));

  // Sticky bars must not cover what a link scrolls to: their heights feed the CSS.
  const fit = () => {
    const root = document.documentElement.style;
    root.setProperty("--toolbar", toolbar.offsetHeight + "px");
    const head = pane.querySelector(".pane-head");
    root.setProperty("--pane-head", (head ? head.offsetHeight : 0) + "px");
  };
  window.addEventListener("resize", fit);
  fit();
  const linked = location.hash.startsWith("#scenario-")
    && document.getElementById(location.hash.slice(1));
  if (linked) {
    linked.classList.add("open");
    linked.scrollIntoView({ block: "center" });
    select(linked, "instant");
  }
})();

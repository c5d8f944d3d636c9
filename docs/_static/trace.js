// Progressive enhancement of the traceability tables: a search box and priority / status selects that hide rows.
// Rows carry their values as classes (p-1a, s-untraced, v-verified, r-passed, m-overdue); without JavaScript
// the tables are complete and readable.
(function () {
  "use strict";
  var FACETS = [["p", "Priority"], ["s", "Traced"], ["v", "Verification"], ["e", "Evidence"], ["so", "Sign-off"], ["r", "Result"], ["m", "Status"]];

  function valuesOf(rows, prefix) {
    var seen = {};
    rows.forEach(function (row) {
      row.classList.forEach(function (name) {
        if (name.indexOf(prefix + "-") === 0) { seen[name] = name.slice(prefix.length + 1).replace(/-/g, " "); }
      });
    });
    return Object.keys(seen).sort().map(function (key) { return [key, seen[key]]; });
  }

  function makeSelect(label, options) {
    var wrapper = document.createElement("label");
    wrapper.textContent = label;
    var select = document.createElement("select");
    var all = document.createElement("option");
    all.value = ""; all.textContent = "all";
    select.appendChild(all);
    options.forEach(function (option) {
      var item = document.createElement("option");
      item.value = option[0]; item.textContent = option[1];
      select.appendChild(item);
    });
    wrapper.appendChild(select);
    return [wrapper, select];
  }

  function enhance(box) {
    var rows = Array.prototype.slice.call(box.querySelectorAll("tbody > tr"));
    if (rows.length < 2) { return; }
    var controls = document.createElement("div");
    controls.className = "trace-filter-controls";
    var searchLabel = document.createElement("label");
    searchLabel.textContent = "Filter";
    var search = document.createElement("input");
    search.type = "search";
    search.placeholder = "id or words of the title";
    search.setAttribute("aria-label", "Filter rows by id or title");
    searchLabel.appendChild(search);
    controls.appendChild(searchLabel);
    var selects = [];
    FACETS.forEach(function (facet) {
      var options = valuesOf(rows, facet[0]);
      if (options.length > 1) {
        var made = makeSelect(facet[1], options);
        controls.appendChild(made[0]);
        selects.push(made[1]);
      }
    });
    var count = document.createElement("span");
    count.className = "trace-filter-count";
    controls.appendChild(count);
    box.insertBefore(controls, box.firstChild);
    var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });

    function apply() {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row, index) {
        var visible = words.every(function (word) { return texts[index].indexOf(word) !== -1; }) &&
          selects.every(function (select) { return !select.value || row.classList.contains(select.value); });
        row.classList.toggle("trace-hidden", !visible);
        if (visible) { shown += 1; }
      });
      count.textContent = shown + " of " + rows.length + " rows";
    }
    search.addEventListener("input", apply);
    selects.forEach(function (select) { select.addEventListener("change", apply); });
    apply();
  }

  // Anchors land below the sticky header: its measured height (it may wrap to two rows) feeds the CSS
  // variable behind scroll-padding-top; if the browser already jumped to the #anchor, jump again.
  function measureHeader() {
    var header = document.querySelector(".bd-header");
    if (!header) { return; }
    var root = document.documentElement;
    function update() {
      root.style.setProperty("--trace-header-height", header.getBoundingClientRect().height + "px");
    }
    update();
    if (window.ResizeObserver) { new ResizeObserver(update).observe(header); }
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.getBoundingClientRect().top < header.getBoundingClientRect().bottom) {
      target.scrollIntoView();
    }
  }

  // Search by id: on the search page, a query that names a need id, whole or in part ("0293", "LVV-T98"), puts
  // that card (or milestone page) first, from _static/trace_ids.js (written by the build).
  function idMatches(query, ids) {
    var q = query.trim().toLowerCase();
    if (!q || !/\d/.test(q)) { return []; }
    var exact = [], suffix = [], part = [];
    ids.forEach(function (entry) {
      var id = entry[0].toLowerCase();
      if (id === q) { exact.push(entry); }
      else if (id.endsWith("-" + q) || id.endsWith(q) && /[-a-z]/.test(id.charAt(id.length - q.length - 1))) { suffix.push(entry); }
      else if (id.indexOf(q) >= 0) { part.push(entry); }
    });
    return exact.concat(suffix, part).slice(0, 5);
  }

  function searchById() {
    var query = new URLSearchParams(location.search).get("q");
    var results = document.getElementById("search-results") || document.querySelector(".bd-search-container, article");
    if (!query || !results || !/search\.html$/.test(location.pathname)) { return; }
    var root = (document.documentElement.dataset.content_root || DOCUMENTATION_OPTIONS.URL_ROOT || "./");
    var script = document.createElement("script");
    script.src = root + "_static/trace_ids.js";
    script.onload = function () {
      var found = idMatches(query, window.TRACE_IDS || []);
      if (!found.length) { return; }
      var box = document.createElement("div");
      box.className = "trace-id-results";
      var heading = document.createElement("h2");
      heading.textContent = found.length === 1 ? "Need with this id" : "Needs whose id matches";
      box.appendChild(heading);
      var list = document.createElement("ul");
      found.forEach(function (entry) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = root + entry[2];
        link.textContent = entry[0];
        item.appendChild(link);
        item.appendChild(document.createTextNode(" " + entry[1]));
        list.appendChild(item);
      });
      box.appendChild(list);
      results.parentNode.insertBefore(box, results);
    };
    document.head.appendChild(script);
  }

  function init() {
    document.querySelectorAll(".trace-filterable").forEach(enhance);
    measureHeader();
    searchById();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

// ---- Change log (history): filter the commits by need id and by kind of change; the filter lives in the URL
// (?id=...&kind=...), so a filtered change log can be linked. Without JavaScript every commit is listed.
(function () {
  "use strict";

  function control(labelText, input) {
    var label = document.createElement("label");
    label.textContent = labelText;
    label.appendChild(input);
    return label;
  }

  function enhanceChangelog(box) {
    var commits = Array.prototype.slice.call(box.querySelectorAll("li.trace-commit"));
    if (!commits.length) { return; }
    var kinds = [];
    commits.forEach(function (commit) {
      (commit.getAttribute("data-kinds") || "").split(" ").forEach(function (kind) {
        if (kind && kinds.indexOf(kind) < 0) { kinds.push(kind); }
      });
    });
    var controls = document.createElement("div");
    controls.className = "trace-filter-controls trace-changelog-filters";
    var search = document.createElement("input");
    search.type = "search";
    search.placeholder = "DMS-REQ-0293, 0293";
    search.setAttribute("aria-label", "Filter commits by need id");
    controls.appendChild(control("Id", search));
    var select = document.createElement("select");
    select.setAttribute("aria-label", "Filter commits by kind of change");
    [""].concat(kinds).forEach(function (kind) {
      var option = document.createElement("option");
      option.value = kind; option.textContent = kind || "all";
      select.appendChild(option);
    });
    controls.appendChild(control("Kind", select));
    var count = document.createElement("span");
    count.className = "trace-filter-count";
    count.setAttribute("aria-live", "polite");
    controls.appendChild(count);
    box.insertBefore(controls, box.firstChild);

    var params = new URLSearchParams(window.location.search);
    search.value = params.get("id") || "";
    if (kinds.indexOf(params.get("kind") || "") >= 0) { select.value = params.get("kind"); }

    function apply() {
      var query = search.value.trim().toUpperCase();
      var kind = select.value;
      var shown = 0;
      commits.forEach(function (commit) {
        var any = false;
        commit.querySelectorAll("li.trace-change").forEach(function (group) {
          var items = group.querySelectorAll(".trace-change-item");
          var matches = 0;
          items.forEach(function (item) {
            var hit = !query || (item.getAttribute("data-id") || "").toUpperCase().indexOf(query) >= 0;
            item.classList.toggle("trace-hidden", !hit);
            if (hit) { matches += 1; }
          });
          var visible = matches > 0 && (!kind || group.getAttribute("data-kind") === kind);
          group.classList.toggle("trace-hidden", !visible);
          var details = group.querySelector("details");
          if (details && query && visible) { details.open = true; }
          if (visible) { any = true; }
        });
        commit.classList.toggle("trace-hidden", !any);
        if (any) { shown += 1; }
      });
      count.textContent = shown + " of " + commits.length + " commits";
      var next = new URLSearchParams(window.location.search);
      if (search.value.trim()) { next.set("id", search.value.trim()); } else { next.delete("id"); }
      if (kind) { next.set("kind", kind); } else { next.delete("kind"); }
      var encoded = next.toString();
      var url = window.location.pathname + (encoded ? "?" + encoded : "") + window.location.hash;
      if (url !== window.location.pathname + window.location.search + window.location.hash) {
        window.history.replaceState(null, "", url);
      }
    }
    search.addEventListener("input", apply);
    select.addEventListener("change", apply);
    apply();
  }

  function initChangelog() {
    document.querySelectorAll(".trace-changelog").forEach(enhanceChangelog);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initChangelog);
  } else {
    initChangelog();
  }
})();
// ---- end of the change log section

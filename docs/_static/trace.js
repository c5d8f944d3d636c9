// Progressive enhancement of the traceability tables: a search box, filters that take several values (or all
// but them), sortable columns, and the whole state in the URL so a view can be shared. Rows carry their values
// as classes (p-1a, s-untraced, v-verified, r-passed, m-overdue); a sub-requirement's first cell its depth
// (trace-depth-1...), so a row that matches brings its parents along. Without JavaScript the tables are complete.
(function () {
  "use strict";
  // [class prefix, label, URL key]
  var FACETS = [["p", "Priority", "priority"], ["s", "Traced", "traced"], ["v", "Verification", "verification"],
    ["e", "Evidence", "evidence"], ["so", "Sign-off", "signoff"], ["r", "Result", "result"], ["m", "Status", "status"]];
  var EMPTY = { "": true, "\u2014": true, "\u2013": true };

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function valuesOf(rows, prefix) {
    var seen = {};
    rows.forEach(function (row) {
      row.classList.forEach(function (name) {
        if (name.indexOf(prefix + "-") === 0) { seen[name] = name.slice(prefix.length + 1).replace(/-/g, " "); }
      });
    });
    return Object.keys(seen).sort().map(function (key) { return [key, seen[key]]; });
  }

  function depthOf(row) {
    var match = row.cells[0] && /(?:^|\s)trace-depth-(\d+)/.exec(row.cells[0].className);
    return match ? Number(match[1]) : 0;
  }

  // A facet: a drop-down of check boxes, one per value, and "not" (rows with none of the chosen values).
  function Facet(spec, options, onChange) {
    var self = this;
    this.prefix = spec[0]; this.label = spec[1]; this.name = spec[2];
    this.element = make("details", "trace-facet");
    this.summary = make("summary");
    this.element.appendChild(this.summary);
    var menu = make("div", "trace-facet-menu");
    menu.setAttribute("role", "group");
    menu.setAttribute("aria-label", this.label);
    this.boxes = options.map(function (option) {
      var label = make("label");
      var box = make("input");
      box.type = "checkbox"; box.value = option[0];
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + option[1]));
      menu.appendChild(label);
      return box;
    });
    var notLabel = make("label", "trace-facet-not");
    this.not = make("input");
    this.not.type = "checkbox";
    notLabel.appendChild(this.not);
    notLabel.appendChild(document.createTextNode(" not: rows without the chosen"));
    menu.appendChild(notLabel);
    this.element.appendChild(menu);
    menu.addEventListener("change", function () { self.describe(); onChange(); });
    this.describe();
  }
  Facet.prototype.chosen = function () {
    return this.boxes.filter(function (box) { return box.checked; }).map(function (box) { return box.value; });
  };
  Facet.prototype.words = function () {
    var prefix = this.prefix;
    return this.chosen().map(function (name) { return name.slice(prefix.length + 1); });
  };
  Facet.prototype.describe = function () {
    var words = this.words().map(function (word) { return word.replace(/-/g, " "); });
    var text = words.length ? (this.not.checked ? "not " : "") + words.join(", ") : "all";
    this.summary.textContent = this.label + ": " + text;
    this.element.classList.toggle("trace-facet-active", words.length > 0);
  };
  Facet.prototype.matches = function (row) {
    var chosen = this.chosen();
    if (!chosen.length) { return true; }
    var any = chosen.some(function (name) { return row.classList.contains(name); });
    return this.not.checked ? !any : any;
  };
  Facet.prototype.read = function (value) {
    var not = value.charAt(0) === "!";
    var words = (not ? value.slice(1) : value).split(",");
    var prefix = this.prefix;
    this.boxes.forEach(function (box) { box.checked = words.indexOf(box.value.slice(prefix.length + 1)) !== -1; });
    this.not.checked = not;
    this.describe();
  };
  Facet.prototype.write = function () {
    var words = this.words();
    return words.length ? (this.not.checked ? "!" : "") + words.map(encodeURIComponent).join(",") : "";
  };
  Facet.prototype.clear = function () {
    this.boxes.forEach(function (box) { box.checked = false; });
    this.not.checked = false;
    this.describe();
  };

  function sortKey(row, column) {
    var cell = row.cells[column];
    var text = cell ? cell.textContent.replace(/\s+/g, " ").trim() : "";
    return EMPTY[text] ? null : text;
  }

  function compareKeys(a, b) {
    if (a === b) { return 0; }
    if (a === null) { return 1; }  // empty cells last, in either direction
    if (b === null) { return -1; }
    var x = Number(a.replace(/%$/, "")), y = Number(b.replace(/%$/, ""));
    if (!isNaN(x) && !isNaN(y)) { return x - y; }
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  function enhance(box, number) {
    var table = box.querySelector("table");
    var body = table && table.tBodies[0];
    if (!body || body.rows.length < 2) { return; }
    var rows = Array.prototype.slice.call(body.rows);
    var key = number ? "t" + (number + 1) + "-" : "";  // the URL keys of the second table of a page on: t2-...
    // Each row's parent: the nearest row above it that is less deep (sub-requirements under their requirement).
    var parents = [], children = rows.map(function () { return []; }), roots = [], open = [];
    rows.forEach(function (row, index) {
      var depth = depthOf(row);
      while (open.length && open[open.length - 1][1] >= depth) { open.pop(); }
      parents[index] = open.length ? open[open.length - 1][0] : -1;
      (parents[index] < 0 ? roots : children[parents[index]]).push(index);
      open.push([index, depth]);
    });

    var controls = make("div", "trace-filter-controls");
    var searchLabel = make("label", "trace-filter-search", "Filter");
    var search = make("input");
    search.type = "search";
    search.placeholder = "id or words of the title";
    search.setAttribute("aria-label", "Filter rows by id or title");
    searchLabel.appendChild(search);
    controls.appendChild(searchLabel);
    var facets = [];
    FACETS.forEach(function (spec) {
      var options = valuesOf(rows, spec[0]);
      if (options.length > 1) {
        var facet = new Facet(spec, options, changed);
        controls.appendChild(facet.element);
        facets.push(facet);
      }
    });
    var reset = make("button", "trace-filter-reset", "Clear");
    reset.type = "button";
    controls.appendChild(reset);
    var count = make("span", "trace-filter-count");
    count.setAttribute("aria-live", "polite");
    controls.appendChild(count);
    box.insertBefore(controls, box.firstChild);
    var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });

    // Sorting: a button in each header; ascending, descending, then the page's own order. Sub-requirements stay
    // under their parent, sorted among their siblings.
    var headers = Array.prototype.slice.call(table.tHead ? table.tHead.rows[0].cells : []);
    var sort = { column: -1, descending: false };
    headers.forEach(function (header, column) {
      var button = make("button", "trace-sort");
      button.type = "button";
      while (header.firstChild) { button.appendChild(header.firstChild); }
      header.appendChild(button);
      button.addEventListener("click", function () {
        if (sort.column !== column) { sort = { column: column, descending: false }; }
        else if (!sort.descending) { sort.descending = true; }
        else { sort = { column: -1, descending: false }; }
        order();
        changed();
      });
    });

    function order() {
      var keys = sort.column < 0 ? null : rows.map(function (row) { return sortKey(row, sort.column); });
      function arrange(indexes) {
        if (!keys) { return indexes; }
        return indexes.slice().sort(function (a, b) {
          var byKey = compareKeys(keys[a], keys[b]);
          if (byKey && keys[a] !== null && keys[b] !== null && sort.descending) { byKey = -byKey; }
          return byKey || a - b;
        });
      }
      var sequence = [], pending = arrange(roots).reverse();
      while (pending.length) {
        var index = pending.pop();
        sequence.push(index);
        pending = pending.concat(arrange(children[index]).reverse());
      }
      var fragment = document.createDocumentFragment();
      sequence.forEach(function (index) { fragment.appendChild(rows[index]); });
      body.appendChild(fragment);
      headers.forEach(function (header, column) {
        if (column === sort.column) { header.setAttribute("aria-sort", sort.descending ? "descending" : "ascending"); }
        else { header.removeAttribute("aria-sort"); }
      });
    }

    function apply() {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      var matched = rows.map(function (row, index) {
        return words.every(function (word) { return texts[index].indexOf(word) !== -1; }) &&
          facets.every(function (facet) { return facet.matches(row); });
      });
      var shown = matched.slice();
      matched.forEach(function (match, index) {
        for (var up = match ? parents[index] : -1; up >= 0 && !shown[up]; up = parents[up]) { shown[up] = true; }
      });
      var hits = 0, context = 0;
      rows.forEach(function (row, index) {
        row.classList.toggle("trace-hidden", !shown[index]);
        row.classList.toggle("trace-context", shown[index] && !matched[index]);
        if (matched[index]) { hits += 1; } else if (shown[index]) { context += 1; }
      });
      count.textContent = hits + " of " + rows.length + " rows" +
        (context ? " (and " + context + " parent" + (context === 1 ? "" : "s") + " of matching rows)" : "");
      // Stripes follow the rows as shown (sorted, filtered), not as written.
      var stripe = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        if (row.classList.contains("trace-hidden")) { return; }
        row.classList.toggle("row-even", stripe % 2 === 0);
        row.classList.toggle("row-odd", stripe % 2 === 1);
        stripe += 1;
      });
    }

    var ours = [key + "filter", key + "sort"].concat(facets.map(function (facet) { return key + facet.name; }));

    function writeUrl() {
      var parts = [];
      new URLSearchParams(location.search).forEach(function (value, name) {
        if (ours.indexOf(name) === -1) { parts.push(encodeURIComponent(name) + "=" + encodeURIComponent(value)); }
      });
      if (search.value.trim()) { parts.push(key + "filter=" + encodeURIComponent(search.value.trim())); }
      facets.forEach(function (facet) {
        var value = facet.write();
        if (value) { parts.push(key + facet.name + "=" + value); }
      });
      if (sort.column >= 0) { parts.push(key + "sort=" + (sort.column + 1) + (sort.descending ? ":desc" : "")); }
      var query = parts.length ? "?" + parts.join("&") : "";
      if (query !== location.search) { history.replaceState(history.state, "", location.pathname + query + location.hash); }
    }

    function readUrl() {
      var params = new URLSearchParams(location.search);
      search.value = params.get(key + "filter") || "";
      facets.forEach(function (facet) {
        var value = params.get(key + facet.name);
        if (value) { facet.read(value); }
      });
      var sorted = /^(\d+)(:desc)?$/.exec(params.get(key + "sort") || "");
      if (sorted && Number(sorted[1]) >= 1 && Number(sorted[1]) <= headers.length) {
        sort = { column: Number(sorted[1]) - 1, descending: Boolean(sorted[2]) };
      }
    }

    function changed() { apply(); writeUrl(); }
    search.addEventListener("input", changed);
    reset.addEventListener("click", function () {
      search.value = "";
      facets.forEach(function (facet) { facet.clear(); });
      sort = { column: -1, descending: false };
      order();
      changed();
    });
    readUrl();
    if (sort.column >= 0) { order(); }
    apply();
  }

  // One facet menu open at a time; a click elsewhere or Escape closes it.
  function closeFacets(except) {
    document.querySelectorAll("details.trace-facet[open]").forEach(function (open) {
      if (open !== except) { open.removeAttribute("open"); }
    });
  }
  document.addEventListener("click", function (event) {
    closeFacets(event.target.closest ? event.target.closest("details.trace-facet") : null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeFacets(null); }
  });

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

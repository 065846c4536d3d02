/* coopgraph report pages: the search box, sortable tables, facets and pick-lists.
   Works from file:// (no fetch): the search index is window.COOPGRAPH_SEARCH, loaded by
   static/search-index.js. */
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";

  /* --- Names, as the CLI's parameter resolver normalises them (query/catalog.py
     normalise_name): decompose, drop the accents, fold hyphens, apostrophes, underscores and
     spaces to one space, trim, lower the case. */
  function normalise(text) {
    return text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g, "")
      .replace(/[\s_\-'\u2019]+/g, " ")
      .trim()
      .toLowerCase();
  }

  /* Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions),
     stopping early once it exceeds `limit`. */
  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var previous2 = null, previous = [], current, i, j;
    for (j = 0; j <= b.length; j++) previous[j] = j;
    for (i = 1; i <= a.length; i++) {
      current = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
        if (previous2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          value = Math.min(value, previous2[j - 2] + 1);
        }
        current[j] = value;
        if (value < best) best = value;
      }
      if (best > limit) return limit + 1;
      previous2 = previous;
      previous = current;
    }
    return previous[b.length];
  }

  /* American Soundex of a word: how a name sounds, so "Ivory" meets "Ivoire". */
  var SOUNDEX = { b: 1, f: 1, p: 1, v: 1, c: 2, g: 2, j: 2, k: 2, q: 2, s: 2, x: 2, z: 2,
                  d: 3, t: 3, l: 4, m: 5, n: 5, r: 6 };
  function soundex(word) {
    var letters = word.replace(/[^a-z]/g, "");
    if (!letters) return "";
    var code = letters[0].toUpperCase(), last = SOUNDEX[letters[0]] || 0;
    for (var i = 1; i < letters.length && code.length < 4; i++) {
      var ch = letters[i], digit = SOUNDEX[ch] || 0;
      if (digit && digit !== last) code += digit;
      if (ch !== "h" && ch !== "w") last = digit;
    }
    return (code + "000").slice(0, 4);
  }

  function allowedTypos(length) {
    return length >= 8 ? 2 : length >= 4 ? 1 : 0;
  }

  /* How well one normalised query matches one normalised name: 0 = no match; higher = better.
     Exact > the start of the name > the start of a word > inside a word > a word within the
     typos allowed for its length > a word that sounds the same. */
  function score(query, name) {
    if (name === query) return 100;
    if (name.indexOf(query) === 0) return 80;
    var words = name.split(" "), queryWords = query.split(" ");
    if (name.indexOf(" " + query) >= 0) return 70;
    if (query.length >= 3 && name.indexOf(query) >= 0) return 55;
    var total = 0;
    for (var q = 0; q < queryWords.length; q++) {
      var qw = queryWords[q], best = 0;
      if (!qw) continue;
      for (var w = 0; w < words.length; w++) {
        var word = words[w], limit = allowedTypos(qw.length);
        if (word.indexOf(qw) === 0) { best = Math.max(best, 40); continue; }
        if (limit && (distance(qw, word, limit) <= limit ||
                      distance(qw, word.slice(0, qw.length), limit) <= limit)) {
          best = Math.max(best, 30);
          continue;
        }
        if (qw.length >= 4 && word.length >= 4 && soundex(qw) === soundex(word)) {
          best = Math.max(best, 20);
        }
      }
      if (!best) return 0;
      total += best;
    }
    return total / queryWords.length;
  }

  function search(text, limit) {
    var query = normalise(text);
    if (!query) return [];
    var found = [];
    (window.COOPGRAPH_SEARCH || []).forEach(function (entry) {
      var best = 0, matched = null;
      entry.names.forEach(function (name) {
        var s = score(query, name[2]);
        if (name[1] !== "name") s -= 1;
        if (s > best) { best = s; matched = name; }
      });
      if (best > 0) found.push({ entry: entry, score: best, matched: matched });
    });
    found.sort(function (a, b) {
      return b.score - a.score || a.entry.label.localeCompare(b.entry.label);
    });
    return found.slice(0, limit || 12);
  }

  window.coopgraphSearch = { normalise: normalise, search: search, soundex: soundex,
                             distance: distance };

  function setUpSearch(form) {
    var input = form.querySelector("input[type=search]");
    var list = form.querySelector(".suggestions");
    var active = -1, results = [];
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function open(index) {
      var hit = results[index];
      if (hit) window.location.href = root + hit.entry.page;
    }
    function highlight(index) {
      var items = list.querySelectorAll("li");
      items.forEach(function (item, i) { item.setAttribute("aria-selected", String(i === index)); });
      active = index;
      if (items[index]) input.setAttribute("aria-activedescendant", items[index].id);
    }
    /* Served by `coopgraph serve`, the page names the server's search (the same ranking, on
       the live graph); from the file system it searches the index in the folder. */
    var endpoint = document.querySelector("meta[name=coopgraph-search]");
    function show() {
      var text = input.value;
      if (endpoint && text.trim()) {
        fetch(endpoint.getAttribute("content") + "?q=" + encodeURIComponent(text))
          .then(function (response) { return response.json(); })
          .then(function (answer) {
            if (input.value !== text) return;
            draw(answer.results.map(function (hit) {
              return { entry: { label: hit.label, kind: hit.kind, page: hit.page },
                       matched: [hit.matched, hit.how] };
            }));
          })
          .catch(function () { draw(search(text, 12)); });
        return;
      }
      draw(search(text, 12));
    }
    function draw(found) {
      results = found;
      list.innerHTML = "";
      if (!input.value.trim()) { close(); return; }
      if (!results.length) {
        var none = document.createElement("li");
        none.className = "none";
        none.textContent = "Nothing matches \u201c" + input.value + "\u201d";
        list.appendChild(none);
      }
      results.forEach(function (hit, i) {
        var item = document.createElement("li");
        item.id = input.id + "-option-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        var link = document.createElement("a");
        link.href = root + hit.entry.page;
        link.textContent = hit.entry.label;
        link.tabIndex = -1;
        item.appendChild(link);
        var kind = document.createElement("span");
        kind.className = "kind";
        var via = hit.matched && hit.matched[0] !== hit.entry.label
          ? " \u2014 " + hit.matched[1] + ": " + hit.matched[0] : "";
        kind.textContent = " " + hit.entry.kind + via;
        item.appendChild(kind);
        item.addEventListener("mousedown", function (event) { event.preventDefault(); open(i); });
        list.appendChild(item);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }
    input.addEventListener("input", show);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(Math.min(active + 1, results.length - 1)); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter") { event.preventDefault(); open(active >= 0 ? active : 0); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    form.addEventListener("submit", function (event) { event.preventDefault(); open(active >= 0 ? active : 0); });
  }

  /* --- Sortable tables: a header button sorts by its column, again reverses. */
  function sortKey(cell, numeric) {
    var value = cell ? cell.getAttribute("data-sort") : null;
    if (value === null) value = cell ? cell.textContent.trim().toLowerCase() : "";
    if (numeric) { var n = parseFloat(value); return isNaN(n) ? -Infinity : n; }
    return value;
  }
  function setUpSorting(table) {
    var headers = table.querySelectorAll("thead th");
    table.querySelectorAll("button.sort").forEach(function (button) {
      button.addEventListener("click", function () {
        var column = parseInt(button.getAttribute("data-column"), 10);
        var header = button.closest("th");
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        var numeric = header.classList.contains("numeric");
        headers.forEach(function (th) { th.setAttribute("aria-sort", "none"); });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = sortKey(a.cells[column], numeric), y = sortKey(b.cells[column], numeric);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  /* --- Facets: a row is shown when, in every facet with a value ticked, it has one of them. */
  function setUpFacets(form) {
    var table = document.getElementById(form.getAttribute("data-facets-for"));
    var shown = form.querySelector("[data-shown]");
    function apply() {
      var chosen = {};
      form.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
        (chosen[box.name] = chosen[box.name] || []).push(box.value);
      });
      var count = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var facets = JSON.parse(row.getAttribute("data-facets") || "{}");
        var keep = Object.keys(chosen).every(function (key) {
          var values = facets[key] || [];
          return chosen[key].some(function (value) { return values.indexOf(value) >= 0; });
        });
        row.hidden = !keep;
        if (keep) count++;
      });
      if (shown) shown.textContent = String(count);
    }
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
  }

  /* --- Pick-lists: the report for another value. */
  function setUpPicker(form) {
    var select = form.querySelector("select");
    function go(event) { if (event) event.preventDefault(); window.location.href = select.value; }
    form.addEventListener("submit", go);
    select.addEventListener("change", go);
  }

  document.querySelectorAll("form[data-search]").forEach(setUpSearch);
  document.querySelectorAll("table.sortable").forEach(setUpSorting);
  document.querySelectorAll("form[data-facets-for]").forEach(setUpFacets);
  document.querySelectorAll("form[data-picker]").forEach(setUpPicker);
})();

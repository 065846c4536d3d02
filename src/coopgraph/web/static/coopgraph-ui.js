// coopgraph's editor page: YASGUI on this server's SPARQL endpoint, one tab per stored query.
// The configuration (endpoint, starter query, tabs) is written into the page by ui.py.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("coopgraph-config").textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;

  // Nothing leaves this server: drop the class and property completers, which ask a public
  // vocabulary service (LOV) as one types. Prefix completion uses YASGUI's bundled list.
  var completers = Yasgui.Yasqe.defaults.autocompleters;
  ["class", "property"].forEach(function (name) {
    var index = completers.indexOf(name);
    if (index >= 0) completers.splice(index, 1);
  });

  // The project's own terms complete instead: the ontology's classes and properties and the
  // graph's concepts, from this server (vocabulary.json, next to the editor).
  var root = new URL(".", window.location.href).href;
  var vocabulary = null;
  function terms() {
    if (!vocabulary) {
      vocabulary = fetch(root + "vocabulary.json")
        .then(function (response) { return response.json(); })
        .catch(function () { return { base: "", terms: [] }; });
    }
    return vocabulary;
  }
  if (Yasgui.Yasqe.registerAutocompleter) {
    Yasgui.Yasqe.registerAutocompleter({
      name: "coopgraph-terms",
      bulk: false,
      autoShow: true,
      isValidCompletionPosition: function (yasqe) {
        var token = yasqe.getCompleteToken();
        // A prefixed name being typed: the terms offered are those of the project's
        // namespaces (cg:, modality:, role:, ...); other prefixes find none.
        return /^[A-Za-z][\w-]*:[\w.-]*$/.test(token.string);
      },
      get: function (yasqe, token) {
        var typed = ((token && token.string) || "").toLowerCase();
        return terms().then(function (found) {
          return found.terms
            .map(function (term) { return term.name; })
            .filter(function (name) { return name.toLowerCase().indexOf(typed) === 0; });
        });
      },
    });
  }

  // Result IRIs of this project's namespace open this server's pages.
  function localLinks(element) {
    terms().then(function (found) {
      if (!found.base) return;
      element.querySelectorAll("a[href^='" + found.base + "']").forEach(function (link) {
        var rest = link.getAttribute("href").slice(found.base.length);
        if (/^(id|def)\//.test(rest)) link.setAttribute("href", root + rest);
      });
    });
  }
  new MutationObserver(function () { localLinks(document.getElementById("yasgui")); })
    .observe(document.getElementById("yasgui"), { childList: true, subtree: true });

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
    },
    copyEndpointOnNewTab: true,
    autoAddOnInit: false,
    // Tabs are kept in the browser between visits; a new catalog gives a fresh set.
    persistenceId: "coopgraph_" + config.digest,
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      },
    },
    yasqe: { value: config.starterQuery, collapsePrefixesOnLoad: true },
    yasr: { prefixes: config.prefixes },
  });

  if (yasgui.persistentConfig.getTabs().length === 0) {
    yasgui.addTab(true, { name: "Query", yasqe: { value: config.starterQuery } });
    config.tabs.forEach(function (tab) {
      yasgui.addTab(false, { name: tab.name, yasqe: { value: tab.query } });
    });
    yasgui.selectTabId(yasgui.persistentConfig.getTabs()[0]);
  }
  // Tab titles as tooltips, so the short names stay readable.
  var titles = {};
  config.tabs.forEach(function (tab) {
    titles[tab.name] = tab.title;
  });
  document.querySelectorAll(".yasgui .tabsList .tab a[role=tab]").forEach(function (link) {
    var name = link.querySelector("span");
    var title = name && titles[name.textContent.trim()];
    if (title) link.title = title;
  });
  // "Open in the editor" from a report page: #query=TEXT opens it in a tab of its own.
  if (window.location.hash.indexOf("#query=") === 0) {
    var text = decodeURIComponent(window.location.hash.slice("#query=".length));
    var tab = yasgui.addTab(true, { name: "From a report", yasqe: { value: text } });
    if (tab && tab.getYasqe && tab.getYasqe()) tab.getYasqe().setValue(text);
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  window.coopgraph = { yasgui: yasgui, config: config };
})();

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
  window.coopgraph = { yasgui: yasgui, config: config };
})();

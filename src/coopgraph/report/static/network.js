/* coopgraph report pages: the interactive network (Cytoscape.js).
   Data: #network-data (States, instruments with their States, organisations, types,
   modalities and modality groups, the groups' colours). An instrument with three or more
   States is a hub node linked to each; a bilateral one an edge between its two States; an
   instrument with fewer States is drawn only when organisations are shown (as a hub). */
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";
  var data = JSON.parse(document.getElementById("network-data").textContent);
  var colours = {}, labels = {};
  var SPOKE = "#aab4bc";  /* a line to a hub of several groups: the hub's pie shows them */
  data.groups.forEach(function (group) { colours[group.iri] = group.colour; labels[group.iri] = group.label; });
  var modalitySelect = document.getElementById("network-modality");
  var typeSelect = document.getElementById("network-type");
  var organisationsBox = document.getElementById("network-organisations");
  var count = document.getElementById("network-count");
  var hover = document.getElementById("network-hover");

  /* The groups of an instrument, most modalities first, and the colour of a line for it:
     its group when it has one, "several" when the modalities fall in more than one. */
  function groupsOf(instrument) {
    return Object.keys(instrument.groups).sort(function (a, b) {
      return instrument.groups[b] - instrument.groups[a] || labels[a].localeCompare(labels[b]);
    });
  }
  function lineColour(instrument) {
    var groups = groupsOf(instrument);
    if (!groups.length) return colours.none;
    return groups.length === 1 ? colours[groups[0]] : colours.several;
  }
  function groupText(instrument) {
    var groups = groupsOf(instrument);
    if (!groups.length) return "no modality recorded";
    return groups.map(function (g) { return labels[g] + " (" + instrument.groups[g] + ")"; }).join(", ");
  }

  function elements() {
    var modality = modalitySelect.value, type = typeSelect.value, withOrganisations = organisationsBox.checked;
    var chosen = data.instruments.filter(function (instrument) {
      return (!modality || instrument.modalities.indexOf(modality) >= 0) &&
             (!type || instrument.types.indexOf(type) >= 0);
    });
    var nodes = [], edges = [], usedStates = {}, usedOrganisations = {};
    chosen.forEach(function (instrument) {
      var states = instrument.states, organisations = withOrganisations ? instrument.organisations : [];
      var hub = states.length > 2 || (states.length < 2 && organisations.length) ||
                (states.length === 2 && organisations.length);
      if (!hub && states.length < 2) return;
      var text = instrument.label + " \u2014 " + instrument.types.join(", ") + "; modalities: " + groupText(instrument);
      if (hub) {
        var groups = groupsOf(instrument), total = 0, pie = {};
        groups.forEach(function (g) { total += instrument.groups[g]; });
        groups.slice(0, 16).forEach(function (g, i) {
          pie["pie" + (i + 1) + "Colour"] = colours[g];
          pie["pie" + (i + 1) + "Size"] = 100 * instrument.groups[g] / total;
        });
        nodes.push({ data: Object.assign({ id: instrument.id, label: instrument.label, kind: "instrument",
          page: instrument.page, hover: text, colour: groups.length ? "#ffffff" : colours.none }, pie),
          classes: "hub" + (groups.length ? " pie" : "") });
        states.forEach(function (state) {
          usedStates[state] = true;
          edges.push({ data: { id: instrument.id + "|" + state, source: instrument.id, target: state,
            colour: groups.length === 1 ? colours[groups[0]] : SPOKE, hover: text, page: instrument.page } });
        });
        organisations.forEach(function (organisation) {
          usedOrganisations[organisation] = true;
          edges.push({ data: { id: instrument.id + "|" + organisation, source: organisation, target: instrument.id,
            colour: "#777777", hover: text, page: instrument.page }, classes: "organisation" });
        });
      } else {
        usedStates[states[0]] = usedStates[states[1]] = true;
        edges.push({ data: { id: instrument.id, source: states[0], target: states[1],
          colour: lineColour(instrument), hover: text, page: instrument.page }, classes: "bilateral" });
      }
    });
    data.states.forEach(function (state) {
      if (usedStates[state.id]) {
        nodes.push({ data: { id: state.id, label: state.label, kind: "state", page: state.page,
          hover: state.label + (state.former ? " (former State)" : "") },
          classes: "state" + (state.former ? " former" : "") });
      }
    });
    data.organisations.forEach(function (organisation) {
      if (usedOrganisations[organisation.id]) {
        nodes.push({ data: { id: organisation.id, label: organisation.label, kind: "organisation",
          page: organisation.page, hover: organisation.label + " (organisation)" }, classes: "organisation" });
      }
    });
    count.textContent = chosen.length + " instruments, " + Object.keys(usedStates).length + " States";
    return nodes.concat(edges);
  }

  var pieStyle = { "pie-size": "100%" };
  for (var i = 1; i <= 16; i++) {
    pieStyle["pie-" + i + "-background-color"] = "data(pie" + i + "Colour)";
    pieStyle["pie-" + i + "-background-size"] = "data(pie" + i + "Size)";
  }
  var cy = cytoscape({
    container: document.getElementById("network"),
    elements: elements(),
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: { "label": "data(label)", "font-size": 11, "text-wrap": "ellipsis",
        "text-max-width": 140, "text-valign": "bottom", "text-margin-y": 3, "color": "#1b1b1b",
        "text-background-color": "#ffffff", "text-background-opacity": 0.8 } },
      { selector: "node.state", style: { "background-color": "#f2f2f2", "border-color": "#333333",
        "border-width": 1.5, "width": 22, "height": 22 } },
      { selector: "node.former", style: { "border-style": "dashed", "font-style": "italic" } },
      { selector: "node.hub", style: { "shape": "diamond", "width": 26, "height": 26,
        "background-color": "data(colour)", "border-color": "#333333", "border-width": 1,
        "font-size": 9, "text-max-width": 160, "color": "#444444" } },
      { selector: "node.pie", style: pieStyle },
      { selector: "node.organisation", style: { "shape": "round-rectangle", "background-color": "#fff4d6",
        "border-color": "#8c6d1f", "border-width": 1.2, "width": 20, "height": 14 } },
      { selector: "edge", style: { "line-color": "data(colour)", "width": 2.5, "opacity": 0.85,
        "curve-style": "bezier" } },
      { selector: "edge.organisation", style: { "line-style": "dotted", "width": 1.5 } },
      { selector: ".faded", style: { "opacity": 0.15 } }
    ],
    layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 9000, idealEdgeLength: 70 }
  });
  window.coopgraphNetwork = cy;

  function redraw() {
    cy.elements().remove();
    cy.add(elements());
    cy.layout({ name: "cose", animate: false, randomize: false, nodeRepulsion: 9000, idealEdgeLength: 70 }).run();
  }
  [modalitySelect, typeSelect, organisationsBox].forEach(function (control) {
    control.addEventListener("change", redraw);
  });
  cy.on("mouseover", "node, edge", function (event) {
    hover.textContent = event.target.data("hover");
    var near = event.target.closedNeighborhood ? event.target.closedNeighborhood() : event.target.connectedNodes().union(event.target);
    cy.elements().not(near).addClass("faded");
  });
  cy.on("mouseout", "node, edge", function () { hover.textContent = ""; cy.elements().removeClass("faded"); });
  cy.on("tap", "node, edge", function (event) {
    var page = event.target.data("page");
    if (page) window.location.href = root + page;
  });
})();

/* coopgraph report pages: the Vega-Lite pictures (report charts, the map, the timeline).
   Each element with a data-spec attribute holds its Vega-Lite specification, data included;
   the map's country shapes come from window.COOPGRAPH_WORLD (static/world.js). */
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";
  var OPTIONS = { actions: false, renderer: "svg", tooltip: true };

  /* The pages in the data are relative to the site's root: make them relative to this page. */
  function withRoot(values) {
    if (!Array.isArray(values)) return values;
    return values.map(function (item) {
      if (item && typeof item.page === "string") {
        var copy = Object.assign({}, item);
        copy.page = root + item.page;
        return copy;
      }
      return item;
    });
  }

  function prepared(spec) {
    var copy = JSON.parse(JSON.stringify(spec));
    (function walk(node) {
      if (Array.isArray(node)) { node.forEach(walk); return; }
      if (!node || typeof node !== "object") return;
      if (node.data && node.data.format && node.data.format.type === "topojson") {
        node.data.values = window.COOPGRAPH_WORLD;
      } else if (node.data && Array.isArray(node.data.values)) {
        node.data.values = withRoot(node.data.values);
      }
      Object.keys(node).forEach(function (key) { if (key !== "data") walk(node[key]); });
    })(copy);
    return copy;
  }

  function embed(element, spec) {
    return vegaEmbed(element, prepared(spec), OPTIONS).then(function (result) {
      result.view.addEventListener("click", function (event, item) {
        var datum = item && item.datum;
        var page = datum && (datum.page || (datum.properties && datum.properties.page));
        if (page) window.location.href = page;
      });
      element.setAttribute("data-rendered", "true");
      return result;
    }).catch(function (error) {
      element.textContent = "The picture could not be drawn: " + error;
      element.setAttribute("data-rendered", "error");
      throw error;
    });
  }

  /* The map: the lookup's data swapped for the count the select asks for. */
  function mapSpec(spec, data, modality) {
    var copy = JSON.parse(JSON.stringify(spec));
    var values = data.states.map(function (state) {
      return {
        id: state.id,
        name: state.name,
        page: state.page,
        value: modality ? (state.modalities[modality] || 0) : state.instruments
      };
    });
    var lookup = copy.layer[1].transform[0];
    lookup.from.data.values = values;
    var select = document.getElementById("map-modality");
    var title = modality ? select.options[select.selectedIndex].text : "instruments";
    copy.layer[1].encoding.color.title = title;
    copy.layer[1].encoding.tooltip[1].title = title;
    return copy;
  }

  document.querySelectorAll("[data-spec]").forEach(function (element) {
    var spec = JSON.parse(element.getAttribute("data-spec"));
    if (element.id !== "map") { embed(element, spec); return; }
    var data = JSON.parse(document.getElementById("map-data").textContent);
    var select = document.getElementById("map-modality");
    function draw() {
      var modality = select.value;
      document.querySelectorAll("#unmapped [data-count]").forEach(function (counter) {
        var state = data.unmapped.filter(function (s) { return s.id === counter.getAttribute("data-count"); })[0];
        if (state) counter.textContent = String(modality ? (state.modalities[modality] || 0) : state.instruments);
      });
      element.setAttribute("data-rendered", "false");
      element.setAttribute("data-showing", modality || "instruments");
      return embed(element, mapSpec(spec, data, modality));
    }
    select.addEventListener("change", draw);
    draw();
  });
})();

/* klaster: the little behaviour pages need, without inline scripts (the Content-Security-Policy
   allows scripts only from the site or with the page's nonce; docs/deployment.md).

   - <select data-autosubmit>: choosing an option submits its form (e.g. the support instrument);
     pages keep a <noscript> button for browsers without JavaScript.
   - <form data-busy>: on submit, its submit buttons are disabled and its [data-busy-note]
     elements shown (long runs such as cluster mapping).
   - GOV.UK Frontend: initAll() on the components' data-module attributes (docs/ui.md).
   - <div class="chart" data-plotly="{...}">: a Plotly figure ({"data": [...], "layout": {...}}, as
     plotly's Figure.to_json() writes it) drawn with plotly.js when the page has loaded it.
   - <div data-map="ID">: a choropleth of the regions (components/map.html): the Plotly figure is the
     JSON of <script type="application/json" id="ID"> (klaster.web.maps.choropleth_figure; the
     boundaries are fetched once from its URL); a click on a region follows its link
     (customdata[0]). */
(function () {
  "use strict";

  function autosubmit(root) {
    root.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () {
        if (el.form) { el.form.submit(); }
      });
    });
  }

  function busy(root) {
    root.querySelectorAll("form[data-busy]").forEach(function (form) {
      form.addEventListener("submit", function () {
        form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) { b.disabled = true; });
        form.querySelectorAll("[data-busy-note]").forEach(function (n) { n.hidden = false; });
      });
    });
  }

  function charts(root) {
    if (typeof window.Plotly === "undefined") { return; }
    root.querySelectorAll("[data-plotly]").forEach(function (el) {
      var fig = JSON.parse(el.getAttribute("data-plotly"));
      window.Plotly.newPlot(el, fig.data || [], fig.layout || {}, {responsive: true, displaylogo: false});
    });
  }

  // plotly.js fetches a world base map from its CDN for every geo subplot, even with the base
  // layers hidden: an empty one registered in advance keeps the maps offline (no CDN).
  function offlineGeo() {
    var empty = {type: "GeometryCollection", geometries: []};
    var assets = window.PlotlyGeoAssets = window.PlotlyGeoAssets || {};
    assets.topojson = assets.topojson || {};
    ["world_110m", "world_50m"].forEach(function (name) {
      if (!assets.topojson[name]) {
        assets.topojson[name] = {type: "Topology", arcs: [], objects: {land: empty, ocean: empty, coastlines: empty,
          countries: empty, lakes: empty, rivers: empty, subunits: empty}};
      }
    });
  }

  function maps(root) {
    if (typeof window.Plotly === "undefined") { return; }
    offlineGeo();
    root.querySelectorAll("[data-map]").forEach(function (el) {
      var src = document.getElementById(el.getAttribute("data-map"));
      if (!src) { return; }
      var fig = JSON.parse(src.textContent);
      window.Plotly.newPlot(el, fig.data || [], fig.layout || {},
        {responsive: true, displaylogo: false, scrollZoom: false, modeBarButtonsToRemove: ["select2d", "lasso2d"]}
      ).then(function () {
        el.on("plotly_click", function (ev) {
          var p = ev && ev.points && ev.points[0];
          var url = p && p.customdata && p.customdata[0];
          if (url) { window.location.assign(url); }
        });
      });
    });
  }

  // GOV.UK Frontend's components (vendor/govuk-frontend/govuk-frontend.js, loaded before this
  // file): the body classes its CSS expects with JavaScript, then every data-module on the page.
  function govuk() {
    document.body.classList.add("js-enabled");
    if (window.GOVUKFrontend && window.GOVUKFrontend.isSupported && "noModule" in HTMLScriptElement.prototype) {
      document.body.classList.add("govuk-frontend-supported");
      window.GOVUKFrontend.initAll();
    }
  }

  function init() {
    govuk();
    autosubmit(document);
    busy(document);
    charts(document);
    maps(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

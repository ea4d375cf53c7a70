/* klaster: the little behaviour pages need, without inline scripts (the Content-Security-Policy
   allows scripts only from the site or with the page's nonce; docs/deployment.md).

   - <select data-autosubmit>: choosing an option submits its form (e.g. the support instrument);
     pages keep a <noscript> button for browsers without JavaScript.
   - <form data-busy>: on submit, its submit buttons are disabled and its [data-busy-note]
     elements shown (long runs such as cluster mapping).
   - GOV.UK Frontend: initAll() on the components' data-module attributes (docs/ui.md).
   - <div class="chart" data-plotly="{...}">: a Plotly figure ({"data": [...], "layout": {...}}, as
     plotly's Figure.to_json() writes it) drawn with plotly.js when the page has loaded it.
   - <div data-map="{...}">: a choropleth of the regions (components/map.html): the Plotly figure as
     JSON (klaster.web.maps.choropleth_figure); the
     boundaries are fetched once per page from the traces' geojson URL and the map is zoomed to
     their extent; a click on a region follows its link (customdata[0]). */
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

  // The boundaries (GeoJSON) of a URL, fetched once per page for all its maps.
  var geojsons = {};
  function boundaries(url) {
    if (!geojsons[url]) {
      geojsons[url] = window.fetch(url, {credentials: "same-origin"}).then(function (r) {
        if (!r.ok) { throw new Error(url + ": " + r.status); }
        return r.json();
      });
    }
    return geojsons[url];
  }

  // [lon_min, lon_max, lat_min, lat_max] of a FeatureCollection, widened by a margin (degrees).
  function extent(gj, margin) {
    var b = [Infinity, -Infinity, Infinity, -Infinity];
    (gj.features || []).forEach(function (f) {
      var c = f.geometry && f.geometry.coordinates;
      var polys = f.geometry && f.geometry.type === "Polygon" ? [c] : (c || []);
      polys.forEach(function (poly) {
        poly.forEach(function (ring) {
          ring.forEach(function (p) {
            b[0] = Math.min(b[0], p[0]); b[1] = Math.max(b[1], p[0]);
            b[2] = Math.min(b[2], p[1]); b[3] = Math.max(b[3], p[1]);
          });
        });
      });
    });
    return isFinite(b[0]) ? [b[0] - margin, b[1] + margin, b[2] - margin, b[3] + margin] : null;
  }

  function maps(root) {
    if (typeof window.Plotly === "undefined") { return; }
    offlineGeo();
    root.querySelectorAll("[data-map]").forEach(function (el) {
      var fig = JSON.parse(el.getAttribute("data-map"));
      var data = fig.data || [];
      var layout = fig.layout || {};
      var url = data.length && typeof data[0].geojson === "string" ? data[0].geojson : null;
      (url ? boundaries(url) : Promise.resolve(null)).then(function (gj) {
        if (gj) {
          // the traces share the fetched boundaries; the geo ranges are their extent (plotly.js's
          // fitbounds leaves the country at half the canvas when the base map is hidden)
          data.forEach(function (t) { if (t.geojson === url) { t.geojson = gj; } });
          var e = extent(gj, 0.3);
          if (e) {
            layout.geo = layout.geo || {};
            layout.geo.fitbounds = false;
            layout.geo.lonaxis = {range: [e[0], e[1]]};
            layout.geo.lataxis = {range: [e[2], e[3]]};
          }
        }
        return window.Plotly.newPlot(el, data, layout,
          {responsive: true, displaylogo: false, scrollZoom: false, modeBarButtonsToRemove: ["select2d", "lasso2d"]});
      }).then(function () {
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

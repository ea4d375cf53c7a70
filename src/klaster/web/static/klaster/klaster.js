/* klaster: the little behaviour pages need, without inline scripts (the Content-Security-Policy
   allows scripts only from the site or with the page's nonce; docs/deployment.md).

   - <select data-autosubmit>: choosing an option submits its form (e.g. the support instrument);
     pages keep a <noscript> button for browsers without JavaScript.
   - <form data-busy>: on submit, its submit buttons are disabled and its [data-busy-note]
     elements shown (long runs such as cluster mapping).
   - GOV.UK Frontend: initAll() on the components' data-module attributes (docs/ui.md).
   - <div class="chart" data-plotly="{...}">: a Plotly figure ({"data": [...], "layout": {...}}, as
     plotly's Figure.to_json() writes it) drawn with plotly.js when the page has loaded it. */
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
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

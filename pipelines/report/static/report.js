/* The report's page script: language switch and charts. No network: vega-embed comes from the
 * bundle in assets/ (loaded before this file runs its charts), every spec is in the page.
 *
 * Language: <html data-lang="both|zh|en">, chosen by the buttons in the header, kept in
 * localStorage and overridable with #lang=zh|en|both in the URL. Text in both languages is
 * marked lang="zh-Hans" / lang="en" and the stylesheet hides the other one. Chart data rows
 * carry e.g. label_zh / label_en; before a chart is drawn, each field its spec names in
 * usermeta.localise ("label") is set to the language chosen, and switching language redraws
 * the charts.
 *
 * Charts: every <div class="chart" id="X"> has its spec in <script type="application/json"
 * id="X-spec">. When all are drawn, <html data-charts-rendered="N"> is set (tests wait for
 * it); errors go to the console and to window.reportErrors.
 */
(function () {
  "use strict";
  var LANGS = ["both", "zh", "en"];
  var STORE = "impetus-report-lang";
  var views = {};
  window.reportErrors = window.reportErrors || [];

  function fromHash(key) {
    var match = new RegExp("[#&]" + key + "=([^&]*)").exec(window.location.hash);
    return match ? decodeURIComponent(match[1]) : null;
  }

  function storedLang() {
    try {
      return window.localStorage.getItem(STORE);
    } catch (error) {
      return null;
    }
  }

  function currentLang() {
    var lang = fromHash("lang") || storedLang() || document.documentElement.dataset.lang;
    return LANGS.indexOf(lang) >= 0 ? lang : "both";
  }

  function labelFor(row, name, lang) {
    var zh = row[name + "_zh"];
    var en = row[name + "_en"];
    if (lang === "zh") return zh;
    if (lang === "en") return en;
    return zh + " " + en;
  }

  function localise(spec, lang) {
    var copy = JSON.parse(JSON.stringify(spec));
    var fields = (copy.usermeta && copy.usermeta.localise) || [];
    var sets = copy.datasets || {};
    Object.keys(sets).forEach(function (name) {
      sets[name].forEach(function (row) {
        fields.forEach(function (field) {
          if ((field + "_zh") in row && (field + "_en") in row) {
            row[field] = labelFor(row, field, lang);
          }
        });
      });
    });
    return copy;
  }

  // The charts measure their labels when drawn: the shipped font is loaded first.
  function fontLoaded() {
    if (!document.fonts || !document.fonts.load) return Promise.resolve();
    return document.fonts.load('12px "Impetus WenQuanYi Micro Hei"', "中A").catch(function () {
      window.reportErrors.push("the report's font did not load");
    });
  }

  function drawCharts(lang) {
    var charts = document.querySelectorAll(".chart[id]");
    var pending = [];
    document.documentElement.removeAttribute("data-charts-rendered");
    charts.forEach(function (element) {
      var source = document.getElementById(element.id + "-spec");
      if (!source) return;
      if (views[element.id]) {
        views[element.id].finalize();
        delete views[element.id];
      }
      var spec = localise(JSON.parse(source.textContent), lang);
      var done = window
        .vegaEmbed(element, spec, { renderer: "svg", actions: false })
        .then(function (result) {
          views[element.id] = result;
          element.dispatchEvent(new CustomEvent("chart-ready", { detail: result }));
        })
        .catch(function (error) {
          window.reportErrors.push(element.id + ": " + error);
          console.error("chart " + element.id + " failed:", error);
        });
      pending.push(done);
    });
    return Promise.all(pending).then(function () {
      document.documentElement.dataset.chartsRendered = String(Object.keys(views).length);
    });
  }

  function setLang(lang, redraw) {
    document.documentElement.dataset.lang = lang;
    document.documentElement.lang = lang === "en" ? "en" : "zh-Hans";
    document.querySelectorAll("[data-set-lang]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.setLang === lang));
    });
    try {
      window.localStorage.setItem(STORE, lang);
    } catch (error) {
      /* a file:// page without storage keeps the language for this visit only */
    }
    if (redraw) drawCharts(lang);
    document.dispatchEvent(new CustomEvent("report-lang", { detail: lang }));
  }

  window.report = {
    lang: currentLang,
    views: views,
    labelFor: labelFor,
    fromHash: fromHash,
  };

  window.addEventListener("error", function (event) {
    window.reportErrors.push(String(event.message || event));
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-set-lang]").forEach(function (button) {
      button.addEventListener("click", function () {
        setLang(button.dataset.setLang, true);
      });
    });
    setLang(currentLang(), false);
    if (typeof window.vegaEmbed !== "function") {
      window.reportErrors.push("vega-embed did not load");
      console.error("vega-embed did not load: assets/ is missing or incomplete");
      return;
    }
    fontLoaded().then(function () {
      drawCharts(currentLang());
    });
  });
})();

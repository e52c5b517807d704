/* What-if weights: recompute the innovation impetus index and its ranks in the browser.
 *
 * The page ships, per panel year, the normalised value (marts.indicator_value, min-max 0-100
 * over all provinces and years, direction applied) of every indicator of the index for every
 * province, the catalog's indicator weights and the pillars' weights. This file does what the
 * engine does (pipelines/composite/aggregate.py), level by level:
 *   indicators -> pillar: weighted mean of the pillar's indicators with a value; a missing
 *                         value is left out and the other weights rescale (COINr drops the NA);
 *   pillars -> index:     the same over the eight drivers, with the weights of the sliders;
 * arithmetic: sum(w x) / sum(w); geometric: exp(sum(w ln x) / sum(w)), on the values moved onto
 * 1-100 (x' = 1 + 0.99 x, which is exactly the engine's min-max 1-100 of the same treated data,
 * the normalisation the Monte Carlo pairs with the geometric mean: it needs positive values).
 * Ranks: 1 = best, equal scores ordered by province code (sql/marts/pillar_score.sql).
 *
 * Settings can be given in the URL: #w=1,1,2,1,1,1,1,1&agg=geometric&year=2023.
 */
(function () {
  "use strict";

  function weightedArithmetic(values, weights) {
    var total = 0;
    var sum = 0;
    for (var i = 0; i < values.length; i++) {
      if (values[i] === null) continue;
      total += weights[i];
      sum += values[i] * weights[i];
    }
    return total > 0 ? sum / total : null;
  }

  function weightedGeometric(values, weights) {
    var total = 0;
    var sum = 0;
    var hasZero = false;
    for (var i = 0; i < values.length; i++) {
      if (values[i] === null) continue;
      if (values[i] < 0) throw new Error("the geometric mean needs values >= 0");
      total += weights[i];
      if (values[i] === 0) {
        if (weights[i] > 0) hasZero = true;
        continue;
      }
      sum += Math.log(values[i]) * weights[i];
    }
    if (!(total > 0)) return null;
    return hasZero ? 0 : Math.exp(sum / total);
  }

  function compute(data, year, pillarWeights, aggregation) {
    var mean = aggregation === "geometric" ? weightedGeometric : weightedArithmetic;
    var rows = data.values[String(year)];
    var byPillar = data.pillars.map(function (pillar) {
      var members = [];
      data.indicators.forEach(function (indicator, i) {
        if (indicator.pillar === pillar.code) members.push(i);
      });
      return members;
    });
    var results = data.provinces.map(function (province, p) {
      var row = rows[p];
      var pillarScores = byPillar.map(function (members) {
        var values = members.map(function (i) {
          var v = row[i];
          if (v === null) return null;
          return aggregation === "geometric" ? 1 + 0.99 * v : v;
        });
        var weights = members.map(function (i) {
          return data.indicators[i].weight;
        });
        return mean(values, weights);
      });
      return {
        code: province.code,
        zh: province.zh,
        en: province.en,
        pillars: pillarScores,
        score: mean(pillarScores, pillarWeights),
        published_rank: data.published[String(year)].ranks[p],
        published_score: data.published[String(year)].scores[p],
      };
    });
    var order = results.slice().sort(function (a, b) {
      if (a.score === null && b.score === null) return a.code < b.code ? -1 : 1;
      if (a.score === null) return 1;
      if (b.score === null) return -1;
      if (b.score !== a.score) return b.score - a.score;
      return a.code < b.code ? -1 : 1;
    });
    order.forEach(function (result, i) {
      result.rank = i + 1;
      result.rank_change = result.published_rank - result.rank;
    });
    return order;
  }

  function readSettings(form, data) {
    var weights = data.pillars.map(function (pillar) {
      return parseFloat(form.querySelector("[name='w-" + pillar.code + "']").value);
    });
    var checked = form.querySelector("input[name='aggregation']:checked");
    return {
      weights: weights,
      aggregation: checked ? checked.value : "arithmetic",
      year: parseInt(form.querySelector("select[name='year']").value, 10),
    };
  }

  function writeSettings(form, data, settings) {
    data.pillars.forEach(function (pillar, i) {
      var input = form.querySelector("[name='w-" + pillar.code + "']");
      input.value = settings.weights[i];
    });
    form.querySelectorAll("input[name='aggregation']").forEach(function (radio) {
      radio.checked = radio.value === settings.aggregation;
    });
    form.querySelector("select[name='year']").value = String(settings.year);
  }

  function fromHash(data) {
    var hash = window.report ? window.report.fromHash : function () { return null; };
    var settings = {
      weights: data.pillars.map(function (pillar) { return pillar.weight; }),
      aggregation: "arithmetic",
      year: data.default_year,
    };
    var w = hash("w");
    if (w) {
      var parsed = w.split(",").map(parseFloat);
      if (parsed.length === data.pillars.length && parsed.every(function (x) { return x >= 0; })) {
        settings.weights = parsed;
      }
    }
    var agg = hash("agg");
    if (agg === "arithmetic" || agg === "geometric") settings.aggregation = agg;
    var year = parseInt(hash("year"), 10);
    if (data.years.indexOf(year) >= 0) settings.year = year;
    return settings;
  }

  function number(value, digits) {
    return value === null ? "—" : value.toFixed(digits);
  }

  function render(data, settings, results) {
    var lang = window.report ? window.report.lang() : "both";
    var body = document.querySelector("#whatif-table tbody");
    body.innerHTML = "";
    results.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.dataset.code = r.code;
      tr.dataset.score = r.score === null ? "" : String(r.score);
      tr.dataset.rank = String(r.rank);
      var change = r.rank_change > 0 ? "▲" + r.rank_change : r.rank_change < 0 ? "▼" + -r.rank_change : "=";
      var cls = r.rank_change > 0 ? "up" : r.rank_change < 0 ? "down" : "";
      tr.innerHTML =
        "<td class='num'>" + r.rank + "</td>" +
        "<td><a href='province/" + r.code + ".html'><span lang='zh-Hans'>" + r.zh +
        "</span><span lang='en'>" + r.en + "</span></a></td>" +
        "<td class='num'>" + number(r.score, 2) + "</td>" +
        "<td class='num'>" + r.published_rank + "</td>" +
        "<td class='num " + cls + "'>" + change + "</td>";
      body.appendChild(tr);
    });
    var total = settings.weights.reduce(function (a, b) { return a + b; }, 0);
    data.pillars.forEach(function (pillar, i) {
      var out = document.getElementById("share-" + pillar.code);
      if (out) out.textContent = total > 0 ? (100 * settings.weights[i] / total).toFixed(1) + "%" : "—";
    });
    var moved = results.filter(function (r) { return r.rank_change !== 0; }).length;
    document.getElementById("whatif-moved").textContent = String(moved);
    var view = window.report && window.report.views["whatif-chart"];
    if (view) updateChart(view.view, results, lang);
    document.documentElement.dataset.whatif = JSON.stringify(settings);
  }

  function updateChart(view, results, lang) {
    var rows = results.map(function (r) {
      return {
        label: window.report.labelFor({ name_zh: r.zh, name_en: r.en }, "name", lang),
        score: r.score,
        rank: r.rank,
        rank_change: r.rank_change,
      };
    });
    view.data("whatif", rows).runAsync();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("whatif-data");
    var form = document.getElementById("whatif-form");
    if (!source || !form) return;
    var data = JSON.parse(source.textContent);
    var last = null;

    function update(fromForm) {
      var settings = fromForm ? readSettings(form, data) : fromHash(data);
      if (!fromForm) writeSettings(form, data, settings);
      data.pillars.forEach(function (pillar, i) {
        var out = document.getElementById("value-" + pillar.code);
        if (out) out.textContent = settings.weights[i].toFixed(1);
      });
      var results = compute(data, settings.year, settings.weights, settings.aggregation);
      last = { settings: settings, results: results };
      window.whatif.last = last;
      render(data, settings, results);
      if (fromForm) {
        var hash = "#w=" + settings.weights.join(",") + "&agg=" + settings.aggregation + "&year=" + settings.year;
        try {
          window.history.replaceState(null, "", hash);
        } catch (error) {
          /* some browsers refuse it on file://; the settings still apply */
        }
      }
    }

    window.whatif = { compute: compute, data: data, last: null };
    form.addEventListener("input", function () { update(true); });
    form.addEventListener("change", function () { update(true); });
    form.addEventListener("reset", function (event) {
      event.preventDefault();
      writeSettings(form, data, {
        weights: data.pillars.map(function (pillar) { return pillar.weight; }),
        aggregation: "arithmetic",
        year: data.default_year,
      });
      update(true);
    });
    window.addEventListener("hashchange", function () { update(false); });
    var chart = document.getElementById("whatif-chart");
    if (chart) {
      chart.addEventListener("chart-ready", function () {
        if (last) render(data, last.settings, last.results);
      });
    }
    document.addEventListener("report-lang", function () {
      if (last) render(data, last.settings, last.results);
    });
    update(false);
    document.documentElement.dataset.whatifReady = "true";
  });
})();

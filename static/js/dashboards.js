/* Dashboard charts on the 工作台: each .chart element names a JSON spec (dashboards/charts.py)
   and is drawn with the vendored ECharts. Without ECharts the data table stays open instead. */
(function () {
  "use strict";
  var COLORS = ["#1d4ed8", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#0ea5e9", "#64748b"];
  var NARROW = 520; // below this width bar charts lie on their side so that labels stay legible
  var drawn = [];

  function label(spec) {
    return {
      show: true,
      fontSize: 11,
      formatter: function (p) { return (p.data && p.data.text) || ""; }
    };
  }

  function option(spec, width) {
    var horizontal = spec.kind === "bar" && width < NARROW;
    var stacked = spec.series.some(function (s) { return s.stack; });
    var valueAxis = {
      type: "value",
      minInterval: spec.percent ? 0 : 1,
      max: spec.percent ? 100 : null,
      axisLabel: { formatter: spec.percent ? "{value}%" : "{value}" }
    };
    var longest = 0; // the longest bar label, so that a label beside a full-length bar is not cut off
    spec.series.forEach(function (s) {
      s.data.forEach(function (d) { longest = Math.max(longest, (d.text || "").length); });
    });
    var slot = (width - 60) / Math.max(spec.categories.length, 1);
    var categoryAxis = {
      type: "category",
      data: spec.categories,
      inverse: horizontal,
      axisLabel: horizontal
        ? { width: Math.max(72, Math.floor(width * 0.3)), overflow: "break", fontSize: 11 }
        : slot < 56
          ? { interval: 0, rotate: 40, fontSize: 11 }
          : { interval: 0, width: Math.floor(slot), overflow: "break", fontSize: 11 }
    };
    var series = spec.series.map(function (s, i) {
      var one = {
        type: spec.kind,
        name: s.name,
        data: s.data,
        stack: s.stack || undefined,
        label: label(spec),
        emphasis: { focus: "series" },
        cursor: "pointer"
      };
      if (spec.kind === "bar") {
        one.barMaxWidth = 36;
        one.label.position = stacked ? "inside" : (horizontal ? "right" : "top");
      } else {
        one.label.position = "top";
        one.symbolSize = 7;
        one.connectNulls = false;
      }
      return one;
    });
    return {
      color: COLORS,
      animation: false,
      tooltip: {
        trigger: "axis",
        confine: true,
        valueFormatter: function (v) { return v == null ? "—" : v + (spec.percent ? "%" : spec.unit || ""); }
      },
      legend: spec.series.length > 1 ? { top: 0, type: "scroll" } : { show: false },
      grid: { left: 8, right: horizontal ? Math.min(Math.floor(width * 0.4), 16 + longest * 8) : 16, top: (spec.series.length > 1 ? 32 : 8) + (horizontal ? 0 : 18), bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: series
    };
  }

  function height(spec, width) {
    if (spec.kind === "bar" && width < NARROW) {
      return Math.max(160, spec.categories.length * 34 + (spec.series.length > 1 ? 56 : 32));
    }
    return 260;
  }

  function draw(el) {
    var spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
    var block = el.closest(".chart-block");
    block.classList.add("chart-drawn"); // shown before drawing, so that ECharts measures its width
    var width = el.parentNode.clientWidth;
    el.style.height = height(spec, width) + "px";
    var chart = echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(option(spec, width));
    chart.on("click", function (p) {
      if (p.data && p.data.link) { window.location.href = p.data.link; }
    });
    var table = block.querySelector("details.chart-data");
    if (table) { table.open = false; }
    drawn.push({ el: el, chart: chart, spec: spec, width: width });
  }

  function resize() {
    drawn.forEach(function (d) {
      var width = d.el.parentNode.clientWidth;
      if (width === d.width) { return; }
      d.width = width;
      d.el.style.height = height(d.spec, width) + "px";
      d.chart.setOption(option(d.spec, width), true); // orientation and label widths follow the width
      d.chart.resize();
    });
  }

  function init() {
    if (typeof window.echarts === "undefined") { return; }
    document.querySelectorAll(".chart[data-spec]").forEach(draw);
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(resize, 120);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

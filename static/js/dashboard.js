/* The supervisors' dashboards: ECharts charts drawn from the JSON the page carries
   (#dash-charts, the same numbers as the tables under each chart). SVG rendering, so charts stay
   sharp on the command centre's big screen and on paper. In big-screen mode htmx replaces the
   panels every minute; the charts are drawn again after each swap. */
(function () {
  "use strict";

  var charts = [];

  function dark() {
    return document.body.classList.contains("dashboard-screen");
  }

  function textColour() {
    return dark() ? "#e9eef5" : "#1f2329";
  }

  function axisCommon() {
    return {
      axisLabel: { color: textColour(), fontSize: dark() ? 15 : 12 },
      axisLine: { lineStyle: { color: dark() ? "#4a5d78" : "#b8c0c8" } },
      splitLine: { lineStyle: { color: dark() ? "#24364f" : "#eceff1" } },
    };
  }

  function categoryAxis(categories, horizontal, allLabels) {
    var axis = Object.assign({ type: "category", data: categories }, axisCommon());
    if (horizontal) {
      axis.inverse = true;
    } else {
      axis.axisLabel = Object.assign({}, axis.axisLabel, { interval: "auto", hideOverlap: true });
    }
    if (allLabels) {
      // every bar keeps its label: none is skipped or hidden for lack of room
      axis.axisLabel = Object.assign({}, axis.axisLabel, { interval: 0, hideOverlap: false });
    }
    return axis;
  }

  function valueAxis(percent, integer) {
    var axis = Object.assign({ type: "value" }, axisCommon());
    if (percent) {
      axis.axisLabel = Object.assign({}, axis.axisLabel, { formatter: "{value}%" });
    }
    if (integer) axis.minInterval = 1;
    return axis;
  }

  function seriesOption(spec) {
    var defaultType = spec.type || "bar";
    return (spec.series || []).map(function (s) {
      var type = s.type || defaultType;
      var item = {
        name: s.name,
        type: type,
        data: s.data,
        emphasis: { focus: "series" },
      };
      if (spec.stack) item.stack = "total";
      if (s.axis) item.yAxisIndex = s.axis;
      if (s.colour) item.itemStyle = { color: s.colour };
      if (type === "line") {
        item.smooth = true;
        item.connectNulls = true;
        item.symbolSize = dark() ? 8 : 5;
      }
      return item;
    });
  }

  function optionFor(name, spec) {
    var legend = {
      top: 0,
      textStyle: { color: textColour(), fontSize: dark() ? 16 : 12 },
      type: "scroll",
    };
    if (name === "ratings") {
      return {
        animation: false,
        color: spec.colours,
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        legend: legend,
        series: [
          {
            type: "pie",
            radius: ["40%", "70%"],
            top: 30,
            data: spec.levels,
            label: { color: textColour(), fontSize: dark() ? 16 : 12 },
          },
        ],
      };
    }
    var horizontal = !!spec.horizontal;
    var option = {
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: legend,
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      series: seriesOption(spec),
    };
    if (spec.colours) option.color = spec.colours;
    if (horizontal) {
      option.xAxis = valueAxis(spec.percent, spec.integer);
      option.yAxis = categoryAxis(spec.categories, true, spec.all_labels);
    } else {
      option.xAxis = categoryAxis(spec.categories, false, spec.all_labels);
      option.yAxis = spec.percent_axis
        ? [valueAxis(false, spec.integer), valueAxis(true)]
        : valueAxis(spec.percent, spec.integer);
      if (spec.percent_axis) {
        option.yAxis[1].max = 100;
        option.yAxis[1].splitLine = { show: false };
      }
    }
    return option;
  }

  function draw() {
    charts.forEach(function (chart) {
      chart.dispose();
    });
    charts = [];
    var source = document.getElementById("dash-charts");
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var name = el.getAttribute("data-chart");
      var spec = data[name];
      if (!spec) return;
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(optionFor(name, spec));
      charts.push(chart);
    });
  }

  function resize() {
    charts.forEach(function (chart) {
      chart.resize();
    });
  }

  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.chart-data:not([open])").forEach(function (d) {
      d.open = true;
      openedForPrint.push(d);
    });
    resize();
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (d) {
      d.open = false;
    });
    openedForPrint = [];
    resize();
  });
  window.addEventListener("resize", resize);
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "dash-panels") draw();
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

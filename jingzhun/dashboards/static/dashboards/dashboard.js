// Draws the charts described in #chart-data with ECharts; a click on a bar, slice,
// point or county opens the list of households (or the area) behind it.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof echarts === "undefined") return;
  var charts = JSON.parse(source.textContent);
  var palette = ["#c0392b", "#e67e22", "#f1c40f", "#27ae60", "#2980b9", "#8e44ad", "#16a085", "#7f8c8d", "#d35400", "#2c3e50"];
  var drawn = [];

  function open(url) {
    if (url) window.location.href = url;
  }

  function axisChart(chart, kind) {
    var histogram = kind === "histogram";
    var series = {
      type: kind === "line" ? "line" : "bar",
      data: chart.values,
      itemStyle: { color: palette[0] },
      barCategoryGap: histogram ? "2%" : "30%",
      smooth: kind === "line"
    };
    if (chart.markAt !== undefined) {
      series.markLine = {
        symbol: "none",
        lineStyle: { color: "#2c3e50", type: "dashed" },
        label: { formatter: chart.markLabel, position: "insideEndTop" },
        data: [{ xAxis: chart.markAt }]
      };
    }
    var horizontal = kind === "bar" && chart.labels.length > 6;
    var category = { type: "category", data: chart.labels, axisLabel: { interval: 0, hideOverlap: true, width: 110, overflow: "truncate" } };
    var value = { type: "value", minInterval: 1 };
    return {
      color: palette,
      tooltip: { trigger: "axis", confine: true },
      grid: { left: horizontal ? 120 : 40, right: 16, top: 24, bottom: horizontal ? 24 : 40, containLabel: !horizontal },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? Object.assign({}, category, { inverse: true }) : value,
      series: [series]
    };
  }

  function option(chart) {
    switch (chart.type) {
      case "pie":
        return {
          color: palette,
          tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)", confine: true },
          legend: { type: "scroll", bottom: 0 },
          series: [{
            type: "pie", radius: ["35%", "65%"], top: -20,
            data: chart.labels.map(function (label, index) { return { name: label, value: chart.values[index] }; })
          }]
        };
      case "grouped":
        return {
          color: palette,
          tooltip: { trigger: "axis", confine: true },
          legend: { type: "scroll", top: 0 },
          grid: { left: 40, right: 16, top: 36, bottom: 50, containLabel: true },
          xAxis: { type: "category", data: chart.labels, axisLabel: { interval: 0, rotate: chart.labels.length > 8 ? 40 : 0 } },
          yAxis: { type: "value", minInterval: 1 },
          series: chart.series.map(function (s) { return { type: "bar", name: s.name, data: s.values }; })
        };
      case "map":
        var max = Math.max.apply(null, chart.values.concat([1]));
        return {
          tooltip: { trigger: "item", formatter: function (p) { return p.name + ": " + (isNaN(p.value) ? "—" : p.value); } },
          visualMap: { min: 0, max: max, left: 8, bottom: 8, calculable: true, inRange: { color: ["#fdebd0", "#c0392b"] } },
          series: [{
            type: "map", map: chart.map, roam: true, name: chart.title,
            label: { show: true, fontSize: 10 },
            emphasis: { label: { show: true } },
            data: chart.labels.map(function (label, index) {
              var item = { name: label, value: chart.values[index] };
              if (label === chart.highlight) item.itemStyle = { borderColor: "#2c3e50", borderWidth: 2 };
              return item;
            })
          }]
        };
      default:
        return axisChart(chart, chart.type);
    }
  }

  charts.forEach(function (chart) {
    var element = document.getElementById(chart.id);
    if (!element) return;
    if (chart.type === "map" && !echarts.getMap(chart.map)) return;
    var instance = echarts.init(element, null, { renderer: "canvas" });
    instance.setOption(option(chart));
    instance.on("click", function (params) {
      if (chart.type === "grouped") {
        open(chart.series[params.seriesIndex].urls[params.dataIndex]);
      } else if (chart.type === "map") {
        var index = chart.labels.indexOf(params.name);
        if (index >= 0) open(chart.urls[index]);
      } else {
        open(chart.urls[params.dataIndex]);
      }
    });
    element.dataset.ready = "1";
    drawn.push(instance);
  });
  window.addEventListener("resize", function () {
    drawn.forEach(function (instance) { instance.resize(); });
  });
})();

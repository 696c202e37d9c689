// The monitoring dashboard's charts: ECharts with the SVG renderer, from the data monitoring.charts put in
// #chart-data (labels and series of numbers). The page's tables carry the same numbers as text.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof echarts === "undefined") return;
  var charts = JSON.parse(source.textContent);
  var drawn = [];

  function option(chart) {
    var line = chart.kind === "line";
    return {
      animation: false,
      grid: {left: 8, right: 8, top: 36, bottom: 8, containLabel: true},
      legend: {top: 0, type: "scroll"},
      tooltip: {trigger: "axis"},
      xAxis: {type: "category", data: chart.labels, axisLabel: {hideOverlap: true}},
      yAxis: {type: "value", minInterval: 1},
      series: chart.series.map(function (s) {
        return {name: s.name, type: line ? "line" : "bar", data: s.values, symbolSize: 6};
      })
    };
  }

  charts.forEach(function (chart) {
    var element = document.getElementById("chart-" + chart.key);
    if (!element) return;
    var instance = echarts.init(element, null, {renderer: "svg"});
    instance.setOption(option(chart));
    if (chart.links && chart.links.length) {
      // A bar opens the records behind it (the same link as the number in the page's table).
      instance.on("click", function (params) {
        var link = chart.links[params.dataIndex];
        if (link) window.location.href = link;
      });
      element.style.cursor = "pointer";
    }
    drawn.push(instance);
  });
  window.addEventListener("resize", function () {
    drawn.forEach(function (instance) { instance.resize(); });
  });
})();

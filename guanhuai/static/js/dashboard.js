// 统计看板: draws every chart from the JSON the page carries (json_script), no inline script
// (the production CSP forbids them). Each chart saves as PNG from its toolbox; a click on a
// region's row opens that region's dashboard (drill-down).
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  var grid = document.getElementById("dashboard");
  if (!source || !grid || !window.echarts) {
    return;
  }
  var charts = JSON.parse(source.textContent).charts;
  var drillUrl = grid.getAttribute("data-drill-url");
  var PLACEHOLDER = "000000000000";
  var COLORS = ["#b4452b", "#2f6f9f", "#e0a526", "#4d9a6a", "#7a5aa6", "#8c8c8c", "#d4776a", "#3b9ab2"];
  var instances = [];

  function pct(value) {
    return value === null || value === undefined ? "—" : (value * 100).toFixed(1) + "%";
  }

  function height(chart) {
    var n = Math.max(chart.categories.length, 1);
    if (!chart.horizontal) {
      return 320;
    }
    var perRow = chart.stacked || chart.series.length === 1 ? 26 : chart.series.length * 9 + 14;
    return Math.max(220, n * perRow + (chart.series.length > 1 ? 90 : 60));
  }

  function option(chart, phone, width) {
    var legend = chart.series.length > 1;
    var valueAxis = {type: "value", splitNumber: 4, minInterval: chart.percent ? 0 : 1};
    if (chart.percent) {
      var top = Math.max.apply(null, chart.series.map(function (s) { return Math.max.apply(null, s.data); }));
      valueAxis.min = 0;
      valueAxis.max = top > 0.5 ? 1 : null; // small rates (late entries) get an axis that shows them
      valueAxis.axisLabel = {formatter: function (v) { return Math.round(v * 100) + "%"; }};
    }
    var categoryAxis = {
      type: "category", data: chart.categories, triggerEvent: chart.codes.length > 0,
      axisLabel: {interval: 0, width: phone ? 76 : 120, overflow: "truncate", hideOverlap: !chart.horizontal},
    };
    if (chart.horizontal) {
      categoryAxis.inverse = true; // the first region on top, as in the tables
    }
    return {
      color: COLORS,
      animationDuration: 300,
      textStyle: {fontFamily: "system-ui, 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif"},
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, confine: true,
                valueFormatter: chart.percent ? pct : undefined},
      legend: {show: legend, type: "scroll", top: 0, left: 0, width: Math.max(width - 64, 120), itemWidth: 14,
               itemHeight: 10},
      toolbox: {right: 0, top: 0, itemSize: 14, feature: {saveAsImage: {
        title: "保存为图片", name: chart.title, pixelRatio: 2, backgroundColor: "#fff"}}},
      grid: {left: 4, right: 18, top: legend ? (phone && chart.series.length > 3 ? 52 : 32) : 26, bottom: 4,
             containLabel: true},
      xAxis: chart.horizontal ? valueAxis : categoryAxis,
      yAxis: chart.horizontal ? categoryAxis : valueAxis,
      series: chart.series.map(function (s) {
        return {name: s.name, type: "bar", data: s.data, stack: chart.stacked ? "total" : undefined,
                barMaxWidth: chart.stacked || chart.series.length === 1 ? 22 : 10,
                cursor: chart.codes.length ? "pointer" : "default", emphasis: {focus: "series"}};
      }),
    };
  }

  function drillTo(chart, index) {
    var code = chart.codes[index];
    if (code) {
      window.location.href = drillUrl.replace(PLACEHOLDER, code);
    }
  }

  function enableDrill(instance, chart) {
    // Anywhere on a region's row (a bar, the space beside it, or its name) opens its dashboard.
    instance.getZr().on("click", function (event) {
      var point = [event.offsetX, event.offsetY];
      if (!instance.containPixel({gridIndex: 0}, point)) {
        return;
      }
      var value = instance.convertFromPixel({gridIndex: 0}, point);
      drillTo(chart, Math.round(chart.horizontal ? value[1] : value[0]));
    });
    instance.on("click", function (params) {
      if (params.componentType === "yAxis" || params.componentType === "xAxis") {
        drillTo(chart, chart.categories.indexOf(params.value));
      }
    });
  }

  var phone = grid.clientWidth < 576;

  function draw(box, chart) {
    box.style.height = height(chart) + "px";
    var instance = window.echarts.init(box, null, {renderer: "canvas"});
    instance.setOption(option(chart, phone, box.clientWidth));
    if (chart.codes.length) {
      enableDrill(instance, chart);
    }
    instances.push(instance);
  }

  function card(key) {
    return grid.querySelector("[data-chart='" + key + "']");
  }

  var waiting = [];
  Object.keys(charts).forEach(function (key) {
    var box = card(key);
    if (!box) {
      return;
    }
    if (charts[key].deferred) {
      waiting.push(key);
    } else {
      draw(box, charts[key]);
    }
  });

  // A city or province counts its families once every few minutes; until then the
  // page comes without those charts and fetches them here.
  if (waiting.length) {
    window.fetch(grid.getAttribute("data-api-url") + "?chart=" + waiting.join(","), {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (body) {
        body.charts.forEach(function (chart) {
          var box = card(chart.key);
          var host = box.closest(".card");
          host.querySelector("[data-summary]").textContent = chart.summary;
          host.querySelector("[data-note]").textContent = chart.note;
          draw(box, chart);
        });
      })
      .catch(function () {
        waiting.forEach(function (key) {
          card(key).closest(".card").querySelector("[data-note]").textContent = "统计失败,请刷新页面重试";
        });
      });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      instances.forEach(function (instance) { instance.resize(); });
    }, 150);
  });
}());

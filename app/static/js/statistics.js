/* 统计分析: draws each <canvas data-chart="…"> with Chart.js (vendored, served from /static/vendor/chartjs).
   The numbers are those of the table under each chart; without JavaScript the tables remain. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var colours = ["#337ab7", "#5cb85c", "#f0ad4e", "#d9534f", "#5bc0de", "#8e6bbf", "#3c763d", "#a94442",
                 "#31708f", "#8a6d3b", "#777777", "#2a6496"];
  Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), function (canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-chart"));
    var horizontal = spec.kind === "hbar";
    var line = spec.kind === "line" && spec.labels.length > 2;  // one or two months read better as bars
    new window.Chart(canvas, {
      type: line ? "line" : "bar",
      data: {
        labels: spec.labels,
        datasets: [{
          label: spec.label,
          data: spec.values,
          backgroundColor: line ? "rgba(51, 122, 183, 0.15)" : spec.values.map(function (_, i) { return colours[i % colours.length]; }),
          borderColor: line ? "#337ab7" : undefined,
          fill: line,
          tension: 0.2,
          maxBarThickness: 64
        }]
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { beginAtZero: true, ticks: { precision: horizontal ? 0 : undefined, autoSkip: !horizontal } },
          y: { beginAtZero: true, ticks: { precision: horizontal ? undefined : (spec.unit ? undefined : 0) } }
        }
      }
    });
  });
})();

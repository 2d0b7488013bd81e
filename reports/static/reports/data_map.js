// Draws the data map's Sankey from the figure the page carries as JSON (no
// inline script: the Content-Security-Policy allows scripts from this site only).
(function () {
  var data = document.getElementById("data-map-figure");
  var chart = document.getElementById("data-map-chart");
  if (!data || !chart) { return; }
  var figure = JSON.parse(data.textContent);
  // The figure's own height, so the chart does not run over the table below.
  if (figure.layout && figure.layout.height) { chart.style.height = figure.layout.height + "px"; }
  Plotly.newPlot(chart, figure.data, figure.layout, {displaylogo: false, responsive: true});
  chart.on("plotly_click", function (event) {
    var point = event.points && event.points[0];
    if (point && point.customdata) { window.location = point.customdata[2]; }
  });
})();

// footfall portal: draw the page's plotly figures, and submit picker forms on change.
"use strict";

function drawCharts() {
  const charts = document.querySelectorAll(".chart[data-figure]");
  const config = { responsive: true, displaylogo: false };
  const drawn = [];
  charts.forEach((div) => {
    const figure = JSON.parse(document.getElementById(div.dataset.figure).textContent);
    drawn.push(Plotly.newPlot(div, figure.data, figure.layout, config));
  });
  Promise.all(drawn).then(() => { document.body.dataset.chartsReady = "1"; });
}

function autosubmit() {
  document.querySelectorAll("[data-autosubmit]").forEach((input) => {
    input.addEventListener("change", () => {
      // A new interval starts from its own default range (2 days of hours, 14 days…).
      if (input.dataset.resetsRange !== undefined) {
        input.form.querySelectorAll("input[type=date]").forEach((d) => { d.value = ""; });
      }
      input.form.requestSubmit();
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  autosubmit();
  if (window.Plotly) { drawCharts(); } else { document.body.dataset.chartsReady = "1"; }
});

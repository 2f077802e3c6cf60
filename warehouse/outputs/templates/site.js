// Draws every chart of the page with the bundled plotly.js and filters the index.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".chart").forEach(function (el) {
    var figure = JSON.parse(el.querySelector("script").textContent);
    Plotly.newPlot(el, figure.data, figure.layout, { responsive: true, displaylogo: false });
  });
  var search = document.getElementById("search");
  var level = document.getElementById("level");
  if (!search) return;
  var rows = Array.from(document.querySelectorAll("#areas tbody tr"));
  var count = document.getElementById("count");
  function filter() {
    var q = search.value.trim().toLowerCase();
    var l = level.value;
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!q || row.dataset.search.indexOf(q) >= 0) && (!l || row.dataset.level === l);
      row.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown + " / " + rows.length;
  }
  search.addEventListener("input", filter);
  level.addEventListener("change", filter);
  var params = new URLSearchParams(location.search);
  if (params.get("q")) search.value = params.get("q");
  if (params.get("level")) level.value = params.get("level");
  filter();
});

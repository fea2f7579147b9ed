// The wsconform HTML report's filters. Only this script builds them, so without JavaScript the
// page shows every scenario. It reads the page (data-protocol, data-verdict, data-level on each
// scenario's section), never data from the run itself; the filters also come from the URL hash
// (#verdict=fail&protocol=ark) and are written back to it.
(function () {
  "use strict";
  var keys = ["protocol", "verdict", "level"];
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.scenario"));
  var header = document.querySelector("header.run");
  if (!header) {
    return;
  }
  var form = document.createElement("form");
  form.id = "filters";
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  var selects = {};
  keys.forEach(function (key) {
    var values = [];
    sections.forEach(function (section) {
      var value = section.dataset[key];
      if (values.indexOf(value) < 0) {
        values.push(value);
      }
    });
    values.sort();
    var label = document.createElement("label");
    label.textContent = key;
    var select = document.createElement("select");
    select.name = key;
    select.appendChild(new Option("all", ""));
    values.forEach(function (value) { select.appendChild(new Option(value, value)); });
    select.addEventListener("change", function () { writeHash(); apply(); });
    label.appendChild(select);
    form.appendChild(label);
    selects[key] = select;
  });
  var shown = document.createElement("output");
  shown.id = "shown";
  form.appendChild(shown);
  header.appendChild(form);

  // A hash without "=" is a link to a scenario or message, not filters.
  function readHash() {
    var hash = window.location.hash.slice(1);
    if (hash.indexOf("=") < 0) {
      return;
    }
    var params = new URLSearchParams(hash);
    keys.forEach(function (key) {
      var wanted = params.get(key) || "";
      var known = Array.prototype.some.call(selects[key].options, function (option) {
        return option.value === wanted;
      });
      selects[key].value = known ? wanted : "";
    });
  }

  function writeHash() {
    var params = new URLSearchParams();
    keys.forEach(function (key) {
      if (selects[key].value) {
        params.set(key, selects[key].value);
      }
    });
    var text = params.toString();
    history.replaceState(null, "", text ? "#" + text : window.location.pathname + window.location.search);
  }

  function apply() {
    var visible = 0;
    sections.forEach(function (section) {
      section.hidden = !keys.every(function (key) {
        return !selects[key].value || section.dataset[key] === selects[key].value;
      });
      visible += section.hidden ? 0 : 1;
    });
    shown.textContent = "showing " + visible + " of " + sections.length + " scenarios";
    document.body.dataset.shown = String(visible);
  }

  readHash();
  apply();
  window.addEventListener("hashchange", function () { readHash(); apply(); });
  document.documentElement.dataset.filters = "ready";
})();

// The outreach round (records/templates/records/outreach_round.html): "select all"/"select none", the live
// count of what will be saved, and the focus on the error summary. The page works without it.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
  var form = document.getElementById("round-form");
  if (!form) {
    return;
  }
  var count = document.getElementById("round-count");

  function households() {
    return Array.prototype.slice.call(form.querySelectorAll("input.round-household"));
  }

  function people() {
    var total = 0;
    households().forEach(function (box) {
      if (box.checked) {
        total += box.closest("tr").querySelectorAll("input.round-person:checked").length;
      }
    });
    // Other people reached: those chosen in the picker and still ticked.
    total += form.querySelectorAll(".picker-chosen input[name='persons']:checked").length;
    form.querySelectorAll(".round-newcomer").forEach(function (row) {
      var code = row.querySelector("input[name$='-code']");
      var year = row.querySelector("input[name$='-birth_year']");
      if ((code && code.value.trim()) || (year && year.value.trim())) {
        total += 1;
      }
    });
    return total;
  }

  function update() {
    if (!count) {
      return;
    }
    var ticked = households().filter(function (box) { return box.checked; }).length;
    count.textContent = count.dataset.template
      .replace("%(households)s", String(ticked))
      .replace("%(people)s", String(people()));
  }

  var select = form.querySelector(".round-select");
  if (select) {
    select.hidden = false;
    select.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-select]");
      if (!button) {
        return;
      }
      var all = button.dataset.select === "all";
      households().forEach(function (box) { box.checked = all; });
      update();
    });
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  // The picker adds a chosen person without any change event: its list is watched instead.
  var chosen = form.querySelector(".picker-chosen");
  if (chosen && window.MutationObserver) {
    new MutationObserver(update).observe(chosen, { childList: true });
  }
  update();
})();

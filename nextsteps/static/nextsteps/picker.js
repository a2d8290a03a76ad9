/* Type-ahead pickers of persons, households and cases (nextsteps/widgets.py, Picker).
 *
 * htmx fetches the options as the user types (hx-get on the text input); this file turns them into a
 * listbox: arrow keys move through the options, Enter chooses one, Escape closes the list, a click chooses
 * too. The chosen record's key goes into the hidden input (or a ticked checkbox when several may be
 * chosen), which is what the form sends, with the text: a code typed in full and sent without choosing is
 * looked up by the form as it is without this file, where the text input is a plain field for the code.
 * No inline script or handler anywhere: the Content-Security-Policy allows scripts from this server only.
 */
(function () {
  "use strict";

  function setUp(root) {
    if (root.dataset.pickerReady) return;
    root.dataset.pickerReady = "true";
    var input = root.querySelector("[data-picker-input]");
    var list = root.querySelector("[role=listbox]");
    var hidden = root.querySelector("[data-picker-value]");
    var chosen = root.querySelector(".picker-chosen");
    var multiple = root.dataset.multiple === "true";
    var active = -1;
    if (!input || !list || input.disabled) return;

    function options() {
      return Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
    }
    function choosable() {
      return options().filter(function (o) { return o.getAttribute("aria-disabled") !== "true"; });
    }
    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var all = choosable();
      if (!all.length) return;
      active = Math.max(0, Math.min(index, all.length - 1));
      all.forEach(function (o, i) { o.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }
    function choose(option) {
      var value = option.dataset.value;
      var label = option.dataset.label;
      if (multiple) {
        if (!chosen.querySelector('input[value="' + value + '"]')) {
          var item = document.createElement("li");
          var wrap = document.createElement("label");
          var box = document.createElement("input");
          box.type = "checkbox";
          box.name = root.dataset.name;
          box.value = value;
          box.checked = true;
          wrap.appendChild(box);
          wrap.appendChild(document.createTextNode(" " + label));
          item.appendChild(wrap);
          chosen.appendChild(item);
        }
        input.value = "";
      } else {
        hidden.value = value;
        input.value = label;
        input.dataset.chosen = label;
      }
      close();
      input.focus();
    }

    input.addEventListener("keydown", function (event) {
      var all = choosable();
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden && all.length) open();
        highlight(active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter" && !list.hidden) {
        // Enter in an open list chooses (the only match, when none is highlighted); it never submits.
        event.preventDefault();
        if (active >= 0 && all[active]) choose(all[active]);
        else if (all.length === 1) choose(all[0]);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("input", function () {
      // Typing over a chosen record unchooses it: the form then says a choice is missing.
      if (!multiple && input.value !== input.dataset.chosen) hidden.value = "";
      if (!input.value.trim()) close();
    });
    input.addEventListener("blur", close);
    // A click on an option must not blur the input first (which would close the list under the pointer).
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option && option.getAttribute("aria-disabled") !== "true") choose(option);
    });
    list.addEventListener("htmx:afterSwap", function () {
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (options().length && document.activeElement === input) open();
      else close();
    });
  }

  function setUpAll(scope) {
    Array.prototype.forEach.call(scope.querySelectorAll("[data-picker]"), setUp);
  }

  document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  // Forms that arrive through htmx later get their pickers too.
  document.addEventListener("htmx:load", function (event) { setUpAll(event.detail.elt); });
})();

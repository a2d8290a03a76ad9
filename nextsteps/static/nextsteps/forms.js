// A form answered with errors opens on its error summary (templates/form_error_summary.html): the focus
// goes there, so a screen reader reads it and a keyboard user tabs straight to the links to each field.
// Loaded with defer from base.html: the page's CSP allows no inline script.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
})();

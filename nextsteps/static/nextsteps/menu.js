// The menu on narrow screens: a button that opens the navigation, closed again by the button, by Escape
// (focus goes back to the button) and by a click outside it. Wide screens show the navigation as it is.
// Loaded with defer from base.html: the page's CSP allows no inline script.
(function () {
  "use strict";
  var button = document.querySelector(".menu-toggle");
  var nav = document.getElementById("site-nav");
  if (!button || !nav) {
    return;
  }
  // Only now that the button works may the CSS fold the navigation away on narrow screens.
  document.documentElement.classList.add("menu-ready");
  button.hidden = false;

  function isOpen() {
    return button.getAttribute("aria-expanded") === "true";
  }

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("open", open);
  }

  button.addEventListener("click", function () {
    setOpen(!isOpen());
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen()) {
      setOpen(false);
      button.focus();
    }
  });

  document.addEventListener("click", function (event) {
    if (isOpen() && !nav.contains(event.target) && !button.contains(event.target)) {
      setOpen(false);
    }
  });
})();

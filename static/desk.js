// Small behaviours of every page, kept out of the HTML so the Content-Security-Policy can forbid inline script.
(function () {
  "use strict";
  // The language menu applies itself when changed (a button stays for browsers without script).
  document.querySelectorAll("select.autosubmit").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // Read-only fields holding an address or a token select their text on click, ready to copy.
  document.querySelectorAll("input.select-on-click").forEach(function (input) {
    input.addEventListener("click", function () { input.select(); });
  });
  // Print buttons.
  document.querySelectorAll("button.print-page").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();

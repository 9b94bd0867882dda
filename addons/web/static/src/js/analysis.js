/* The graph and pivot pages: small comforts over links that work without JavaScript.
   - One menu open at a time: opening a measure menu or a pivot header's "group by" list
     closes the others; Escape closes it and gives the focus back to its summary.
   - A keyboard user moving through a pivot header's list of fields gets it scrolled into view. */
(function () {
  "use strict";
  function menus() {
    return document.querySelectorAll(".o-analysis-cp details.o-dropdown, .o-pivot-table details.o-dropdown");
  }
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!(opened instanceof HTMLDetailsElement) || !opened.open) { return; }
    menus().forEach(function (details) {
      if (details !== opened && details.open && !details.contains(opened)) { details.open = false; }
    });
    var list = opened.querySelector("ul");
    if (list && opened.closest(".o-pivot-table")) { list.scrollIntoView({ block: "nearest" }); }
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    menus().forEach(function (details) {
      if (details.open) {
        details.open = false;
        var summary = details.querySelector("summary");
        if (summary) { summary.focus(); }
      }
    });
  });
})();

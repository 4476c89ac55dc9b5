/* The project workspace: after htmx swaps a tab into the panel, label its tables for the phone
   cards, wake its pickers, and keep the chosen tab in view in a tab bar that scrolls sideways.
   Without script the tabs are plain links and every tab is a whole page. */
(function () {
  "use strict";

  function showCurrentTab() {
    var current = document.querySelector("#ws-tabs a.current");
    if (current && current.scrollIntoView) current.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var panel = document.getElementById("tab-panel");
    if (!panel || !panel.contains(event.detail.elt)) return;
    if (window.pmisLabelTables) window.pmisLabelTables(panel);
    if (window.pmisPickers) window.pmisPickers(panel);
    var current = document.querySelector("#ws-tabs a.current");
    if (current) panel.setAttribute("aria-labelledby", current.id);
    showCurrentTab();
  });
  document.addEventListener("DOMContentLoaded", showCurrentTab);
})();

/* Phones: every .table becomes stacked cards under 760 px (static/css/pmis.css); each body cell
   carries its column header in data-label, which the card shows above the value. The 菜单 button
   is a checkbox label and works without this script; the script only lets Escape close it. */
(function () {
  "use strict";

  function headerText(th) {
    var copy = th.cloneNode(true);
    copy.querySelectorAll(".sort-arrow").forEach(function (el) { el.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function label(table) {
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return;
    var names = [];
    Array.prototype.forEach.call(head.cells, function (th) {
      for (var i = 0; i < th.colSpan; i++) names.push(i === 0 ? headerText(th) : "");
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          var name = cell.colSpan === 1 ? names[column] : "";
          if (name && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", name);
          column += cell.colSpan;
        });
      });
    });
  }

  function labelAll(root) {
    (root || document).querySelectorAll("table.table").forEach(label);
  }

  window.pmisLabelTables = labelAll;
  document.addEventListener("DOMContentLoaded", function () { labelAll(document); });

  document.addEventListener("keydown", function (event) {
    var toggle = document.getElementById("nav-toggle");
    if (event.key === "Escape" && toggle && toggle.checked) {
      toggle.checked = false;
      toggle.focus();
    }
  });
})();

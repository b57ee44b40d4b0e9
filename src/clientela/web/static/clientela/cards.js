// Tables turn into cards on small screens (small-screens.css): each body cell is given its
// column's name as data-label, and the table the class "cards". A table with row headers (a
// matrix) keeps its shape. Runs again after each htmx swap. Every page works without it.
(function () {
  "use strict";

  function columnNames(table) {
    var head = table.tHead;
    if (!head || !head.rows.length) return [];
    var names = [];
    Array.prototype.forEach.call(head.rows[head.rows.length - 1].cells, function (cell) {
      var text = cell.textContent.replace(/\s+/g, " ").trim();
      for (var i = 0; i < (cell.colSpan || 1); i++) names.push(text);
    });
    return names;
  }

  function label(table) {
    if (table.hasAttribute("data-no-cards") || table.querySelector("tbody th[scope=row]")) return;
    var names = columnNames(table);
    if (!names.length) return;
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && names[column] !== undefined) {
            cell.setAttribute("data-label", names[column]);
          }
          column += cell.colSpan || 1;
        });
      });
    });
    table.classList.add("cards");
  }

  function labelAll() {
    document.querySelectorAll("main table").forEach(label);
  }

  if (document.readyState !== "loading") labelAll();
  else document.addEventListener("DOMContentLoaded", labelAll);
  document.addEventListener("htmx:load", labelAll);
})();

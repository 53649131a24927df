/* Tables that fit the screen (web/static/workflow/css/layout.css, docs/accessibility.md).

   On every page (Turbo fires turbo:load after each visit, and on the first):
   - a simple table (one heading row, no grouped headings) is marked
     .ftp-reflow and each cell is given its column's name (data-label), so
     that on a phone the stylesheet can stack each row's cells under their
     names. The table's roles are set explicitly: a table drawn as blocks
     would otherwise lose them in some browsers, and screen readers keep
     reading it as a table;
   - any other table that is not already inside a scrolling box is wrapped in
     one, so it scrolls by itself rather than widening the page;
   - a box that does scroll can be reached by keyboard and is named by its
     table's caption (WCAG 2.1.1), only while it scrolls.
   A template may set its own data-label on a cell, or data-no-reflow on a table. */
(function () {
  "use strict";

  var BOXES = ".mdc-data-table, .ftp-scroll, .ftp-table-scroll";

  function headingRow(table) {
    var head = table.tHead;
    if (!head || head.rows.length !== 1) return null;
    var cells = head.rows[0].cells;
    for (var i = 0; i < cells.length; i++) {
      if (cells[i].colSpan > 1 || cells[i].rowSpan > 1) return null;
    }
    return cells;
  }

  function columnName(cell) {
    // A sortable heading's arrow is not part of the column's name.
    return cell.textContent.replace(/[\u25b2\u25bc\u2191\u2193]/g, "").replace(/\s+/g, " ").trim();
  }

  // The cell's contents in one box, beside its column's name when stacked
  // (a grid of two columns: the name, then everything the cell holds).
  function holdTogether(cell) {
    if (cell.children.length === 1 && cell.firstElementChild.classList.contains("ftp-cell")) return;
    var box = document.createElement("div");
    box.className = "ftp-cell";
    while (cell.firstChild) box.appendChild(cell.firstChild);
    cell.appendChild(box);
  }

  function reflow(table, headings) {
    var names = [];
    for (var i = 0; i < headings.length; i++) names.push(columnName(headings[i]));
    table.classList.add("ftp-reflow");
    table.setAttribute("role", "table");
    table.tHead.setAttribute("role", "rowgroup");
    Array.prototype.forEach.call(table.tBodies, function (body) {
      body.setAttribute("role", "rowgroup");
    });
    Array.prototype.forEach.call(table.rows, function (row) {
      row.setAttribute("role", "row");
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (cell.tagName === "TH") {
          cell.setAttribute("role", cell.getAttribute("scope") === "row" ? "rowheader" : "columnheader");
        } else {
          cell.setAttribute("role", "cell");
        }
        var inBody = row.parentNode !== table.tHead;
        if (inBody && cell.colSpan === 1 && names[column] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", names[column]);
        }
        if (cell.hasAttribute("data-label")) holdTogether(cell);
        column += cell.colSpan;
      });
    });
  }

  function wrap(table) {
    if (table.closest(BOXES)) return;
    var box = document.createElement("div");
    box.className = "ftp-table-scroll";
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
  }

  function reachable() {
    document.querySelectorAll("main .ftp-table-scroll, main .ftp-scroll, main .mdc-data-table").forEach(function (box) {
      var table = box.querySelector("table");
      if (!table) return;
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        var caption = table.caption ? columnName(table.caption) : "";
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption ? caption + " (scrolls sideways)" : "Table (scrolls sideways)");
        box.setAttribute("data-ftp-scrolls", "");
      } else if (!scrolls && box.hasAttribute("data-ftp-scrolls")) {
        ["tabindex", "role", "aria-label", "data-ftp-scrolls"].forEach(function (name) {
          box.removeAttribute(name);
        });
      }
    });
  }

  function arrange() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.classList.contains("ftp-reflow")) return;
      var headings = table.hasAttribute("data-no-reflow") ? null : headingRow(table);
      if (headings) reflow(table, headings);
      else wrap(table);
    });
    reachable();
  }

  var pending = null;
  function onResize() {
    if (pending) window.cancelAnimationFrame(pending);
    pending = window.requestAnimationFrame(reachable);
  }

  document.addEventListener("turbo:load", arrange);
  document.addEventListener("turbo:frame-load", arrange);
  if (document.readyState !== "loading") arrange();
  else document.addEventListener("DOMContentLoaded", arrange);
  window.addEventListener("resize", onResize);
})();

/* The form designer: drag a field row onto another row of the same group to
   move it there; at the top of a form in pages, drop a row on a row of
   another page (or on the page's heading, to put it last there) to move it to
   that page. Without this script the arrow buttons and the page choice of
   each row do the same, from the keyboard too. */
(function () {
  "use strict";
  var list = document.getElementById("field-list");
  var form = document.getElementById("move-form");
  if (!list || !form) { return; }
  var dragged = null;
  function rows(group, page) {
    return Array.prototype.filter.call(list.querySelectorAll("tr.field-row"), function (row) {
      return row.getAttribute("data-group") === group &&
        (page === null || row.getAttribute("data-page") === page);
    });
  }
  function target(event) {
    return event.target.closest ? event.target.closest("tr.field-row, tr.page-row, tr.page-empty") : null;
  }
  function accepts(row) {
    if (!dragged || !row || row === dragged) { return false; }
    var group = dragged.getAttribute("data-group");
    if (!row.classList.contains("field-row")) { return group === ""; }  // a page: top-level items only
    return row.getAttribute("data-group") === group;
  }
  function submit(position, page) {
    form.querySelector("input[name=path]").value = dragged.getAttribute("data-path");
    form.querySelector("input[name=position]").value = String(position);
    form.querySelector("input[name=page]").value = page === null ? "" : page;
    form.submit();
  }
  list.addEventListener("dragstart", function (event) {
    dragged = event.target.closest ? event.target.closest("tr.field-row") : null;
    if (dragged) {
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.getAttribute("data-path"));
      dragged.style.opacity = "0.5";
    }
  });
  list.addEventListener("dragend", function () { if (dragged) { dragged.style.opacity = ""; } dragged = null; });
  list.addEventListener("dragover", function (event) {
    if (accepts(target(event))) { event.preventDefault(); }
  });
  list.addEventListener("drop", function (event) {
    var row = target(event);
    if (!accepts(row)) { return; }
    event.preventDefault();
    var group = dragged.getAttribute("data-group");
    var page = row.getAttribute("data-page");  // null for a form on one page, or inside a group
    if (!row.classList.contains("field-row")) {  // a page's heading: last on that page
      submit(rows("", page).filter(function (r) { return r !== dragged; }).length, page);
      return;
    }
    submit(rows(group, group === "" ? page : null).indexOf(row), page);
  });
})();

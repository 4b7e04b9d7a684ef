/* The form designer: drag a field row onto another row of the same group to
   move it there. Without this script the move up/down buttons do the same. */
(function () {
  "use strict";
  var list = document.getElementById("field-list");
  var form = document.getElementById("move-form");
  if (!list || !form) { return; }
  var dragged = null;
  function siblings(group) {
    return Array.prototype.filter.call(list.querySelectorAll("tr.field-row"), function (row) {
      return row.getAttribute("data-group") === group;
    });
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
    var row = event.target.closest ? event.target.closest("tr.field-row") : null;
    if (dragged && row && row.getAttribute("data-group") === dragged.getAttribute("data-group")) {
      event.preventDefault();
    }
  });
  list.addEventListener("drop", function (event) {
    var row = event.target.closest ? event.target.closest("tr.field-row") : null;
    if (!dragged || !row || row === dragged) { return; }
    var group = dragged.getAttribute("data-group");
    if (row.getAttribute("data-group") !== group) { return; }
    event.preventDefault();
    var position = siblings(group).indexOf(row);
    form.querySelector("input[name=path]").value = dragged.getAttribute("data-path");
    form.querySelector("input[name=position]").value = String(position);
    form.submit();
  });
})();

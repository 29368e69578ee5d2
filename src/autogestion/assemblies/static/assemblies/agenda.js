// Drag and drop on a meeting's agenda (coordinators). Without JavaScript the arrows post
// one move each; here a drop posts the whole new order to the same page action
// ("order"), which refuses an order that does not hold every item exactly once.
(function () {
  "use strict";
  const body = document.querySelector("tbody[data-sortable]");
  const form = document.querySelector("form[data-order-form]");
  const status = document.getElementById("order-status");
  if (!body || !form) return;
  const rows = function () { return Array.from(body.querySelectorAll("tr[data-item]")); };
  let dragged = null;
  let before = [];

  function say(text, failed) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("error", Boolean(failed));
  }

  function renumber() {
    rows().forEach(function (row, index) {
      const number = row.querySelector(".n");
      if (number) number.textContent = String(index + 1);
    });
  }

  function restore(order) {
    order.forEach(function (row) { body.appendChild(row); });
    renumber();
  }

  function save(previous) {
    // The hidden "item" fields belong to the form and follow the rows' order.
    const data = new FormData(form);
    data.delete("item");
    rows().forEach(function (row) { data.append("item", row.dataset.item); });
    fetch(form.getAttribute("action"), {
      method: "POST", body: data, headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (r) { return r.json().then(function (b) { return [r.ok, b]; }); })
      .then(function ([ok, answer]) {
        if (ok) { say(answer.message || "", false); return; }
        restore(previous);
        say(answer.detail || "Error", true);
      })
      .catch(function () { restore(previous); say(form.dataset.failed || "Error", true); });
  }

  rows().forEach(function (row) { row.draggable = true; row.classList.add("draggable"); });

  body.addEventListener("dragstart", function (event) {
    const row = event.target.closest("tr[data-item]");
    if (!row) return;
    dragged = row;
    before = rows();
    row.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.item);
  });
  body.addEventListener("dragover", function (event) {
    if (!dragged) return;
    event.preventDefault();
    const row = event.target.closest("tr[data-item]");
    if (!row || row === dragged) return;
    const box = row.getBoundingClientRect();
    body.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? row.nextSibling : row);
  });
  body.addEventListener("drop", function (event) { if (dragged) event.preventDefault(); });
  body.addEventListener("dragend", function () {
    if (!dragged) return;
    dragged.classList.remove("dragging");
    dragged = null;
    renumber();
    const moved = rows().some(function (row, index) { return row !== before[index]; });
    if (moved) save(before);
  });
})();

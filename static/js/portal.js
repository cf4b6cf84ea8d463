// Behaviour shared by every page. No inline scripts anywhere: this file is it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so that screen-reader users hear it first.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});

document.addEventListener("click", (event) => {
  // "Tick all" buttons: data-check-all names the checkboxes they tick.
  const button = event.target.closest("[data-check-all]");
  if (!button) return;
  const name = button.dataset.checkAll;
  for (const box of document.querySelectorAll(`input[type=checkbox][name="${name}"]`)) {
    box.checked = true;
  }
});

document.addEventListener("click", (event) => {
  // Print buttons: printing needs script, and inline handlers are not allowed.
  if (event.target.closest("[data-print]")) window.print();
});

// Behaviour shared by every page. No inline scripts anywhere: this file is it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so that screen-reader users hear it first.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});

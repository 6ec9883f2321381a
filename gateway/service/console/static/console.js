/* brug operator console: small enhancements over pages that work without them.
   Loaded from /console/static (the CSP allows no inline script). */
"use strict";

function revealEnhancements(root) {
  root.querySelectorAll("[data-select-all][hidden]").forEach((button) => {
    button.hidden = false;
  });
}

// "Select all" on the dead letters: ticks every box of its form, or clears them when all are.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-select-all]");
  if (!button) {
    return;
  }
  const boxes = Array.from(button.form.querySelectorAll('input[type="checkbox"][name="entry"]'));
  const all = boxes.length > 0 && boxes.every((box) => box.checked);
  boxes.forEach((box) => {
    box.checked = !all;
  });
});

document.addEventListener("DOMContentLoaded", () => revealEnhancements(document));
// htmx swaps page bodies in place (hx-boost): new content needs the same treatment.
document.addEventListener("htmx:load", (event) => revealEnhancements(event.target));

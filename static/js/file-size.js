// A file larger than the portal accepts is caught as soon as it is chosen.
//
// Each file input carries the limit in data-max-bytes (audits.forms.DocumentField).
// Choosing a file over it shows why beside the field and empties the input, so
// that nothing is sent that the portal would refuse; the rest of the form, and
// everything typed in it, stays as it was.
"use strict";

(() => {
  const SELECTOR = "input[type=file][data-max-bytes]";

  const megabytes = (bytes) => {
    const value = bytes / (1024 * 1024);
    return `${Number.isInteger(value) ? value : value.toFixed(1)} MB`;
  };

  function messageFor(input) {
    const id = `${input.id || input.name}-too-large`;
    let message = document.getElementById(id);
    if (!message) {
      message = document.createElement("p");
      message.id = id;
      message.className = "invalid-feedback d-block";
      message.setAttribute("role", "alert");
      message.hidden = true;
      input.insertAdjacentElement("afterend", message);
    }
    return message;
  }

  function describedBy(input, id, on) {
    const ids = (input.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== id);
    if (on) ids.push(id);
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  function check(input) {
    const limit = Number(input.dataset.maxBytes);
    const message = messageFor(input);
    const tooLarge = Array.from(input.files || []).find((file) => file.size > limit);
    if (tooLarge) {
      message.textContent =
        `“${tooLarge.name}” is ${megabytes(tooLarge.size)}, and the largest file the portal ` +
        `accepts is ${megabytes(limit)}. Choose a smaller file: a large document often ` +
        "becomes much smaller saved as a PDF.";
      message.hidden = false;
      input.value = "";
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      describedBy(input, message.id, true);
    } else if (input.files && input.files.length) {
      message.hidden = true;
      message.textContent = "";
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
      describedBy(input, message.id, false);
    }
  }

  document.addEventListener("change", (event) => {
    if (event.target.matches && event.target.matches(SELECTOR)) check(event.target);
  });
})();

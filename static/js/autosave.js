// Autosave for the answers on a return's area page.
//
// Each answer is its own form. Typing saves it after a short pause; nothing is
// lost if the session has expired (what was typed stays in this browser and is
// saved once the person signs in again), and a save that would overwrite a
// colleague's newer answer is refused by the server and explained here.
"use strict";

(() => {
  const PAUSE_MS = 1200;
  const RETRY_MS = 10000;
  const forms = Array.from(document.querySelectorAll("form[data-autosave]"));
  if (!forms.length) return;

  const draftKey = (form) => `csap-draft:${form.action}`;
  const fieldsOf = (form) =>
    Array.from(form.elements).filter((el) => el.name && !["csrfmiddlewaretoken"].includes(el.name) && !el.name.endsWith("-revision"));

  function snapshot(form) {
    const values = {};
    for (const el of fieldsOf(form)) {
      if (el.type === "radio") {
        if (el.checked) values[el.name] = el.value;
        else if (!(el.name in values)) values[el.name] = "";
      } else {
        values[el.name] = el.value;
      }
    }
    return values;
  }

  function restore(form, values) {
    for (const el of fieldsOf(form)) {
      if (!(el.name in values)) continue;
      if (el.type === "radio") el.checked = el.value === values[el.name];
      else el.value = values[el.name];
    }
  }

  function say(form, text, tone) {
    const status = form.querySelector("[data-autosave-status]");
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("text-danger", tone === "bad");
    status.classList.toggle("text-success", tone === "good");
  }

  function showConflict(form, body) {
    const box = form.querySelector("[data-conflict]");
    box.querySelector("[data-conflict-message]").textContent = body.message;
    box.querySelector("[data-conflict-rating]").textContent = body.current.rating || "Not rated";
    box.querySelector("[data-conflict-narrative]").textContent = body.current.narrative || "(none)";
    box.hidden = false;
  }

  const state = new Map(forms.map((form) => [form, { dirty: false, timer: null, saving: false, conflict: false, waiting: false, retry: null }]));

  async function save(form, { deliberate = false } = {}) {
    const s = state.get(form);
    if (s.saving || (s.conflict && !deliberate)) return;
    s.saving = true;
    s.dirty = false;
    say(form, "Saving…");
    const token = csrfToken(form);
    try {
      const body = new FormData(form);
      // Django prefers a token in the body to the header: drop the page's stale one.
      body.delete("csrfmiddlewaretoken");
      const response = await fetch(form.action, {
        method: "POST",
        body,
        // JSON, so that even a refusal before the view (too large) is a message to show.
        headers: { "X-Autosave": "1", "X-CSRFToken": token, Accept: "application/json" },
        credentials: "same-origin",
      });
      const signedOut =
        (response.redirected && response.url.includes("/account/login/")) ||
        (response.status === 403 && !isJson(response));
      if (signedOut) {
        s.dirty = true;
        say(form, "You have been signed out, so this is not saved yet. What you typed is kept in this browser: sign in again in another tab and it will be saved.", "bad");
        retryLater(form);
        return;
      }
      const answer = await response.json();
      const revision = form.querySelector("[name$='-revision']");
      if (response.status === 409) {
        s.conflict = true;
        s.dirty = true;
        revision.value = answer.revision;
        say(form, "Not saved: someone else changed this answer.", "bad");
        showConflict(form, answer);
        return;
      }
      if (!response.ok) {
        s.dirty = true;
        const messages = Object.values(answer.errors || {}).flat().join(" ");
        say(form, `Not saved: ${messages || "check your answer."}`, "bad");
        return;
      }
      revision.value = answer.revision;
      s.conflict = false;
      form.querySelector("[data-conflict]").hidden = true;
      if (!s.dirty) localStorage.removeItem(draftKey(form));
      say(form, `Saved at ${answer.saved_at}`, "good");
      showWhetherActionIsNeeded(form);
    } catch (error) {
      s.dirty = true;
      say(form, "Not saved: the portal cannot be reached. We will keep trying.", "bad");
      retryLater(form);
    } finally {
      s.saving = false;
      if (s.dirty && !s.conflict && !s.waiting) schedule(form);
    }
  }

  function retryLater(form) {
    const s = state.get(form);
    s.waiting = true;
    s.retry = setTimeout(() => retryNow(form), RETRY_MS);
  }

  function retryNow(form) {
    const s = state.get(form);
    if (!s.waiting) return;
    clearTimeout(s.retry);
    s.waiting = false;
    save(form);
  }

  // Someone who signed in again in another tab comes back here: save at once.
  const retryAll = () => {
    if (document.visibilityState === "visible") forms.forEach(retryNow);
  };
  document.addEventListener("visibilitychange", retryAll);
  window.addEventListener("focus", retryAll);

  // Amber and Red need an action before submission: say so as soon as it is saved.
  function showWhetherActionIsNeeded(form) {
    const section = form.closest(".criterion");
    const hint = section && section.querySelector("[data-needs-action]");
    if (!hint) return;
    const chosen = form.querySelector("input[type=radio]:checked");
    const needed = Boolean(chosen) && ["amber", "red"].includes(chosen.value);
    hint.hidden = !needed;
    section.querySelector("[data-no-actions]").hidden = needed;
    if (needed) section.querySelector("details[data-add-action]").open = true;
  }

  // Signing in again (in any tab) gives a new CSRF token, so read the current one
  // from its cookie rather than the one the page was built with.
  function csrfToken(form) {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    return cookie ? decodeURIComponent(cookie.split("=")[1]) : form.querySelector("[name=csrfmiddlewaretoken]").value;
  }

  function isJson(response) {
    return (response.headers.get("Content-Type") || "").includes("application/json");
  }

  function schedule(form) {
    const s = state.get(form);
    clearTimeout(s.timer);
    s.timer = setTimeout(() => save(form), PAUSE_MS);
  }

  for (const form of forms) {
    const s = state.get(form);
    const kept = localStorage.getItem(draftKey(form));
    if (kept) {
      const values = JSON.parse(kept);
      if (JSON.stringify(values) !== JSON.stringify(snapshot(form))) {
        restore(form, values);
        s.dirty = true;
        say(form, "Restored what you typed earlier in this browser. Saving it now…");
        schedule(form);
      } else {
        localStorage.removeItem(draftKey(form));
      }
    }
    const changed = () => {
      s.dirty = true;
      localStorage.setItem(draftKey(form), JSON.stringify(snapshot(form)));
      if (s.conflict) {
        say(form, "Not saved: someone else changed this answer. Press Save to replace their answer with yours.", "bad");
        return;
      }
      say(form, "Unsaved changes");
      schedule(form);
    };
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(s.timer);
      save(form, { deliberate: true });
    });
  }

  window.addEventListener("beforeunload", (event) => {
    const unsaved = forms.some((form) => state.get(form).dirty || state.get(form).saving);
    if (unsaved) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();

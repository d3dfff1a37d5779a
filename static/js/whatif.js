// The what-if panel without a page reload: the same form, posted to the JSON endpoint.
// Progressive enhancement only: without this file the form posts and the page is redrawn.
(() => {
  const form = document.getElementById("whatif-form");
  if (!form || !window.fetch) return;
  const message = document.getElementById("whatif-message");
  const token = form.querySelector("input[name=csrf_token]");
  let timer = null;
  let sequence = 0;

  const setText = (id, text) => {
    const element = document.getElementById(id);
    if (element) element.textContent = text;
  };

  const clearErrors = () => {
    form.querySelectorAll("p.error[data-whatif]").forEach((p) => p.remove());
    form.querySelectorAll("[aria-invalid=true]").forEach((input) => {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
    message.hidden = true;
    message.textContent = "";
  };

  const showErrors = (data) => {
    Object.entries(data.errors || {}).forEach(([name, texts]) => {
      const input = form.elements[name];
      if (!input) return;
      const note = document.createElement("p");
      note.className = "error";
      note.id = `${input.id}-jserror`;
      note.dataset.whatif = "1";
      note.textContent = texts.join(" ");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", note.id);
      input.insertAdjacentElement("afterend", note);
    });
    message.textContent = data.message || "";
    message.hidden = !data.message;
  };

  const show = (data) => {
    setText("whatif-overall", data.overall);
    setText("whatif-difference", data.difference);
    data.indicators.forEach((line) => {
      setText(`whatif-score-${line.id}`, line.score);
      setText(`whatif-diff-${line.id}`, line.difference);
    });
  };

  const simulate = async () => {
    const mine = ++sequence;
    const response = await fetch(form.dataset.jsonUrl, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
      credentials: "same-origin",
    });
    if (mine !== sequence) return; // a newer simulation is on its way
    const data = await response.json().catch(() => ({ ok: false, message: response.statusText }));
    clearErrors();
    if (data.ok) show(data);
    else showErrors(data);
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    simulate().catch(() => form.submit());
  });
  // "At once": a short pause after typing, so each keystroke does not send a request.
  form.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => simulate().catch(() => {}), 400);
  });
})();

// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Language switch: submit on change; the button stays for keyboard and no-JS users.
  document.querySelectorAll("select.lang-select").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  // Buttons that need a confirmation carry data-confirm="question".
  document.querySelectorAll("[data-confirm]").forEach((element) => {
    element.addEventListener("click", (event) => {
      if (!window.confirm(element.dataset.confirm)) event.preventDefault();
    });
  });
});

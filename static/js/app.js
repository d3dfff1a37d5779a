// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Language switch: submit on change; the button stays for keyboard and no-JS users.
  document.querySelectorAll("select.lang-select").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  // Header menus: one open at a time; Escape or a click elsewhere closes them.
  const menus = document.querySelectorAll(".nav-menu details");
  const closeMenus = (except) => menus.forEach((menu) => {
    if (menu !== except) menu.open = false;
  });
  menus.forEach((menu) => menu.addEventListener("toggle", () => {
    if (menu.open) closeMenus(menu);
  }));
  document.addEventListener("click", (event) => {
    if (!event.target.closest(".nav-menu")) closeMenus(null);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const open = document.querySelector(".nav-menu details[open]");
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });
  // Buttons that need a confirmation carry data-confirm="question".
  document.querySelectorAll("[data-confirm]").forEach((element) => {
    element.addEventListener("click", (event) => {
      if (!window.confirm(element.dataset.confirm)) event.preventDefault();
    });
  });
});

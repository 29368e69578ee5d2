// Behaviour of the page frame, kept out of the HTML so that the Content-Security-Policy
// can refuse every inline script.
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-submit-on-change]");
  if (field && field.form) field.form.submit();
});

// A form that destroys or cannot be undone carries data-confirm="question" (core/confirm.py):
// ask here, and tell the server the person said yes, so it need not ask again on a page.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (!form) return;
  if (!window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  if (!form.querySelector('input[name="confirmed"]')) {
    const field = document.createElement("input");
    field.type = "hidden";
    field.name = "confirmed";
    field.value = "yes";
    form.appendChild(field);
  }
});

// The menu on a phone: without JavaScript the "Menu" link opens it through :target;
// with it, the link is a toggle that says whether the menu is open.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector("header.top .menu-toggle");
  if (!toggle) return;
  toggle.setAttribute("role", "button");
  toggle.setAttribute("aria-expanded", "false");
  toggle.addEventListener("click", (event) => {
    event.preventDefault();
    const header = toggle.closest("header.top");
    const open = header.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
});

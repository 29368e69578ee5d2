// Behaviour of the page frame, kept out of the HTML so that the Content-Security-Policy
// can refuse every inline script.
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-submit-on-change]");
  if (field && field.form) field.form.submit();
});

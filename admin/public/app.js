// Small progressive enhancements; every page works without this file.
(() => {
  // Confirmation before destructive buttons marked with data-confirm.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const message = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // Status form: show only the fields the chosen next status needs.
  const select = document.querySelector("select[data-status-select]");
  if (select) {
    const sync = () => {
      for (const el of document.querySelectorAll("[data-when]")) {
        el.classList.toggle("hidden", el.getAttribute("data-when") !== select.value);
      }
    };
    select.addEventListener("change", sync);
    sync();
  }
})();

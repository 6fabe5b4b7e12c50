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

  // The bell: unread count kept current by server-sent events (no reload needed).
  const bell = document.querySelector("[data-testid=bell]");
  if (bell && "EventSource" in window) {
    const count = bell.querySelector("[data-testid=bell-count]");
    const source = new EventSource("/notifications/stream");
    source.addEventListener("notice", (event) => {
      const data = JSON.parse(event.data);
      if (!count) return;
      count.textContent = String(data.unread);
      count.classList.toggle("zero", data.unread === 0);
      if (data.item) bell.setAttribute("title", data.item.text);
    });
    window.addEventListener("pagehide", () => source.close());
  }
})();

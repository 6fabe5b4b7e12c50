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

  // Phones: the navigation is a menu behind a button (without this script it is simply listed).
  const toggle = document.querySelector("button.nav-toggle");
  const nav = document.getElementById("sidenav");
  if (toggle && nav) {
    document.documentElement.classList.add("js-nav");
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("open", open);
    });
  }

  // Inbox: a saved reply is inserted into the message where staff can still edit it (without
  // this script the server appends it on send).
  for (const saved of document.querySelectorAll("select[data-insert-into]")) {
    saved.addEventListener("change", () => {
      const target = document.getElementById(saved.getAttribute("data-insert-into") || "");
      const option = saved.selectedOptions[0];
      if (!(target instanceof HTMLTextAreaElement) || !option?.value) return;
      const text = option.getAttribute("data-text") || "";
      target.value = target.value.trim() ? `${target.value.trim()}\n\n${text}` : text;
      saved.value = "";
      target.focus();
    });
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

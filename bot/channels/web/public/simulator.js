// Sibina web chat simulator: talks to /simulator/api with a random session id kept in
// localStorage. No framework, no inline code (the page's CSP forbids it).
(() => {
  const root = document.querySelector("[data-testid=simulator]");
  if (!root) return;
  const log = root.querySelector("[data-testid=simulator-log]");
  const form = root.querySelector("[data-testid=simulator-form]");
  const input = root.querySelector("[data-testid=simulator-input]");
  const sendButton = root.querySelector("[data-testid=simulator-send]");
  const fileInput = root.querySelector("[data-testid=simulator-file]");
  const status = root.querySelector("[data-testid=simulator-status]");
  const resetButton = root.querySelector("[data-testid=simulator-reset]");
  const lang = root.dataset.lang === "en" ? "en" : "id";
  const maxBytes = Number(root.dataset.maxMb || "10") * 1024 * 1024;
  const SESSION_KEY = "sibina-sim-session";

  const randomId = (bytes) => {
    const a = new Uint8Array(bytes);
    crypto.getRandomValues(a);
    return btoa(String.fromCharCode(...a))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
  };

  let sessionId = localStorage.getItem(SESSION_KEY);
  const isNew = !sessionId || !/^[A-Za-z0-9_-]{16,64}$/.test(sessionId);
  if (isNew) {
    sessionId = randomId(18);
    localStorage.setItem(SESSION_KEY, sessionId);
  }
  const logKey = () => `sibina-sim-log-${sessionId}`;
  const afterKey = () => `sibina-sim-after-${sessionId}`;
  let transcript = [];
  try {
    transcript = JSON.parse(localStorage.getItem(logKey()) || "[]");
  } catch {
    transcript = [];
  }
  let busy = false;
  const queue = [];

  const save = () => localStorage.setItem(logKey(), JSON.stringify(transcript.slice(-100)));

  function render(entry, live) {
    const li = document.createElement("li");
    li.className = `sim-msg sim-${entry.from}`;
    li.dataset.testid = "simulator-message";
    li.dataset.from = entry.from;
    const who = document.createElement("span");
    who.className = "sim-who";
    who.textContent = entry.from === "bot" ? root.dataset.tBot : root.dataset.tYou;
    const text = document.createElement("div");
    text.className = "sim-text";
    text.textContent = entry.text;
    li.append(who, text);
    if (entry.document) {
      const a = document.createElement("a");
      a.href = `/simulator/api/files/${encodeURIComponent(entry.document.attachmentId)}?sessionId=${encodeURIComponent(sessionId)}`;
      a.textContent = `${root.dataset.tDocument}: ${entry.document.fileName}`;
      a.dataset.testid = "simulator-document";
      a.setAttribute("download", entry.document.fileName);
      li.append(a);
    }
    if (entry.choices?.length && live) {
      const box = document.createElement("div");
      box.className = "sim-choices";
      entry.choices.forEach((c, i) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = c.selected ? "sim-choice sim-selected" : "sim-choice";
        b.dataset.testid = "simulator-choice";
        b.dataset.choiceId = c.id;
        b.textContent = `${i + 1}. ${c.selected ? "✓ " : ""}${c.label}`;
        b.addEventListener("click", () => submit({ choiceId: c.id }, c.label));
        box.append(b);
      });
      li.append(box);
    }
    log.append(li);
    li.scrollIntoView({ block: "end" });
  }

  // Only the newest bot message keeps live buttons; older ones would answer a past question.
  function retireButtons() {
    for (const box of log.querySelectorAll(".sim-choices")) box.remove();
  }

  function addBot(message) {
    retireButtons();
    const entry = { from: "bot", text: message.text, choices: message.choices, document: message.document };
    transcript.push(entry);
    save();
    render(entry, true);
  }

  function addUser(text) {
    const entry = { from: "user", text };
    transcript.push(entry);
    save();
    render(entry, false);
  }

  async function post(body) {
    const res = await fetch("/simulator/api/send", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sessionId, messageId: randomId(12), lang, ...body }),
    });
    if (!res.ok) throw new Error(String(res.status));
    return res.json();
  }

  // Messages are sent one at a time, in order, like a real chat.
  function submit(body, shown, silent) {
    queue.push({ body, shown, silent });
    if (!busy) drain();
  }

  async function drain() {
    busy = true;
    sendButton.disabled = true;
    while (queue.length) {
      const { body, shown, silent } = queue.shift();
      if (!silent) addUser(shown);
      try {
        const data = await post(body);
        status.textContent = "";
        for (const m of data.replies || []) addBot(m);
      } catch {
        status.textContent = root.dataset.tError;
      }
    }
    busy = false;
    sendButton.disabled = false;
    root.dataset.idle = "true";
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    root.dataset.idle = "false";
    submit({ text }, text);
  });

  fileInput.addEventListener("change", () => {
    const file = fileInput.files?.[0];
    fileInput.value = "";
    if (!file) return;
    if (file.size > maxBytes) {
      status.textContent = root.dataset.tTooLarge;
      return;
    }
    const reader = new FileReader();
    reader.addEventListener("load", () => {
      const data = String(reader.result).replace(/^data:[^,]*,/, "");
      root.dataset.idle = "false";
      submit({ file: { name: file.name, data } }, `📎 ${file.name}`);
    });
    reader.readAsDataURL(file);
  });

  resetButton.addEventListener("click", () => {
    localStorage.removeItem(logKey());
    localStorage.removeItem(afterKey());
    localStorage.removeItem(SESSION_KEY);
    location.reload();
  });

  // Proactive messages (notifications, reminders), polled every few seconds.
  async function poll() {
    try {
      const after = Number(localStorage.getItem(afterKey()) || "0");
      const res = await fetch(`/simulator/api/messages?sessionId=${encodeURIComponent(sessionId)}&after=${after}`);
      if (res.ok) {
        const data = await res.json();
        for (const m of data.messages || []) {
          addBot(m.message);
          localStorage.setItem(afterKey(), String(m.id));
        }
      }
    } catch {
      // offline for a moment; the next poll catches up
    }
    setTimeout(poll, 3000);
  }

  transcript.forEach((entry, i) => {
    render(entry, i === transcript.length - 1);
  });
  root.dataset.session = sessionId;
  root.dataset.idle = "true";
  if (isNew || transcript.length === 0) submit({ text: "/start" }, "", true);
  poll();
})();

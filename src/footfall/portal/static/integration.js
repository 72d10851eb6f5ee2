// footfall portal, integration tool: build and send device-API queries, copy URL and snippets,
// watch a counter's raw messages live. Counter data is only ever set as text (never as HTML).
"use strict";

const MAX_MESSAGES = 50;

function formFields(form, withSecrets) {
  const data = new URLSearchParams(new FormData(form));
  if (!withSecrets) { data.delete("password"); data.delete("csrf_token"); }
  return data;
}

function showFields(form) {
  const api = form.querySelector("input[name=api]:checked").value;
  const typed = form.querySelector("#counter").value === "address";
  form.querySelectorAll("[data-for], [data-target]").forEach((label) => {
    const forApi = !label.dataset.for || label.dataset.for.split(" ").includes(api);
    const forTarget = !label.dataset.target || typed;
    label.hidden = !(forApi && forTarget);
  });
  const radio = form.querySelector("input[name=api]:checked");
  const description = document.getElementById("api-description");
  description.textContent = radio.closest("label").dataset.description || description.textContent;
}

async function build(form) {
  const error = document.getElementById("query-error");
  const answer = await fetch(`${form.dataset.build}?${formFields(form, false)}`, { credentials: "same-origin" });
  const data = await answer.json();
  if (!answer.ok) {
    error.textContent = data.detail || `HTTP ${answer.status}`;
    error.hidden = false;
    return;
  }
  error.hidden = true;
  document.getElementById("query-url").textContent = data.url;
  Object.entries(data.snippets).forEach(([key, text]) => {
    document.getElementById(`snippet-${key}`).textContent = text;
  });
  document.body.dataset.built = String(Number(document.body.dataset.built || "0") + 1);
}

function showResponse(data) {
  const box = document.getElementById("response");
  const status = document.getElementById("response-status");
  const failed = document.getElementById("response-error");
  box.hidden = false;
  status.textContent = data.status === null ? "no answer" : `HTTP ${data.status}`;
  status.className = `badge ${data.status !== null && data.status < 300 ? "online" : "offline"}`;
  const steps = data.steps.map((s) => `${s.path.split("/").pop()} → ${s.status}`).join(", ");
  document.getElementById("response-meta").textContent =
    `${data.target} · ${data.body_bytes} bytes · ${data.elapsed_ms} ms${steps ? ` · ${steps}` : ""}`;
  failed.textContent = data.error || "";
  failed.hidden = !data.error;
  const rows = document.querySelector("#response-headers tbody");
  rows.replaceChildren(...data.headers.map(([name, value]) => {
    const row = document.createElement("tr");
    [name, value].forEach((text) => {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    });
    return row;
  }));
  document.getElementById("response-body").textContent =
    data.body + (data.truncated ? "\n… (cut: the reply is longer)" : "");
}

async function sendQuery(form) {
  const button = document.getElementById("send");
  button.disabled = true;
  try {
    const answer = await fetch(form.action, { method: "POST", body: formFields(form, true),
                                              credentials: "same-origin" });
    const data = await answer.json();
    if (!answer.ok) {
      showResponse({ status: null, error: data.detail || `HTTP ${answer.status}`, steps: [], headers: [],
                     body: "", body_bytes: 0, elapsed_ms: 0, target: "not sent", truncated: false });
    } else {
      showResponse(data);
    }
  } finally {
    button.disabled = false;
    document.body.dataset.sent = String(Number(document.body.dataset.sent || "0") + 1);
  }
}

function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) { return navigator.clipboard.writeText(text); }
  // Plain http on the LAN has no clipboard API: copy through a selected, off-screen text area.
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.left = "-9999px";
  document.body.append(area);
  area.select();
  document.execCommand("copy");
  area.remove();
  return Promise.resolve();
}

function copySource(name) {
  if (name === "snippet") {
    return document.querySelector(`#snippet-${document.getElementById("language").value}`);
  }
  return document.getElementById(name);
}

function watchCounter(form) {
  const state = document.getElementById("watch-state");
  const list = document.getElementById("messages");
  if (window.integrationFeed) { window.integrationFeed.close(); }
  const serial = form.querySelector("#watch-serial").value.trim();
  const source = new EventSource(`${form.action}?${new URLSearchParams({ serial })}`);
  window.integrationFeed = source;
  source.addEventListener("watching", (event) => {
    const data = JSON.parse(event.data);
    state.textContent = `watching ${data.serial || "any counter"} since ${data.since}`;
    document.body.dataset.watching = data.serial || "*";
  });
  source.addEventListener("error", () => { state.textContent = "reconnecting…"; });
  source.addEventListener("lagged", (event) => {
    state.textContent = `${JSON.parse(event.data).dropped} messages skipped (too many to show)`;
  });
  source.addEventListener("message", (event) => {
    const data = JSON.parse(event.data);
    const item = document.createElement("li");
    item.dataset.topic = data.topic || "";
    const head = document.createElement("div");
    head.className = "small";
    head.textContent = [data.at.slice(11, 23), data.channel, data.serial || "serial unknown",
                        data.topic || "no topic", `${data.bytes} bytes${data.truncated ? ", cut" : ""}`].join(" · ");
    const body = document.createElement("pre");
    body.textContent = data.text;
    item.append(head, body);
    list.prepend(item);
    while (list.children.length > MAX_MESSAGES) { list.lastElementChild.remove(); }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("query-form");
  if (!form) { return; }
  let timer = null;
  const rebuild = () => {
    showFields(form);
    clearTimeout(timer);
    timer = setTimeout(() => { build(form); }, 150);
  };
  form.addEventListener("input", (event) => { if (event.target.name !== "password") { rebuild(); } });
  form.addEventListener("change", (event) => { if (event.target.name !== "password") { rebuild(); } });
  form.addEventListener("submit", (event) => { event.preventDefault(); sendQuery(form); });
  showFields(form);
  build(form);
  const language = document.getElementById("language");
  language.addEventListener("change", () => {
    document.querySelectorAll(".snippet").forEach((pre) => { pre.hidden = pre.dataset.language !== language.value; });
  });
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", () => {
      copyText(copySource(button.dataset.copy).textContent).then(() => {
        document.getElementById("copied").textContent = `${button.textContent}: copied`;
        button.dataset.copied = "1";
      });
    });
  });
  const watch = document.getElementById("watch-form");
  watch.addEventListener("submit", (event) => { event.preventDefault(); watchCounter(watch); });
});

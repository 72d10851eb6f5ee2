// footfall portal, site page: follow the site's live stream (server-sent events).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const live = document.getElementById("live");
  if (!live || !window.EventSource) { return; }
  const state = document.getElementById("live-state");
  const feed = document.getElementById("live-feed");
  const source = new EventSource(live.dataset.stream);
  source.addEventListener("open", () => { state.textContent = "connected"; });
  source.addEventListener("error", () => { state.textContent = "reconnecting…"; });
  source.addEventListener("occupancy", (message) => {
    const data = JSON.parse(message.data);
    document.getElementById("live-occupancy").textContent = data.occupancy;
    document.getElementById("live-in").textContent = data.in;
    document.getElementById("live-out").textContent = data.out;
    state.textContent = "connected";
    live.dataset.updates = String(Number(live.dataset.updates || "0") + 1);
  });
  source.addEventListener("crossing", (message) => {
    const data = JSON.parse(message.data);
    const item = document.createElement("li");
    item.textContent = `${data.time.slice(11, 19)} ${data.direction} · ${data.serial} line ${data.line}`;
    feed.prepend(item);
    while (feed.children.length > 20) { feed.lastElementChild.remove(); }
  });
});

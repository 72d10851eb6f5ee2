// footfall export centre: items per level, column arrangement, copy buttons, destination fields.
"use strict";

function itemsFollowLevel() {
  const level = document.getElementById("level");
  const items = document.getElementById("ids");
  if (!level || !items) { return; }
  level.addEventListener("change", () => {
    items.querySelectorAll("optgroup").forEach((group) => {
      const shown = group.dataset.level === level.value;
      group.hidden = !shown;
      if (!shown) { group.querySelectorAll("option").forEach((o) => { o.selected = false; }); }
    });
  });
}

function arrangeColumns() {
  const list = document.getElementById("column-list");
  if (!list) { return; }
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) { return; }
    const item = button.closest("li");
    if (button.classList.contains("up") && item.previousElementSibling) {
      list.insertBefore(item, item.previousElementSibling);
    } else if (button.classList.contains("down") && item.nextElementSibling) {
      list.insertBefore(item.nextElementSibling, item);
    }
    button.focus();
  });
}

async function copyField(button) {
  const field = document.getElementById(button.dataset.copy);
  const said = button.parentElement.querySelector(".copied");
  try {
    await navigator.clipboard.writeText(field.value);
  } catch (_error) {  // no clipboard API (plain http on another host): select and copy
    field.select();
    document.execCommand("copy");
  }
  if (said) { said.textContent = "Copied."; }
  button.dataset.copied = "1";
}

function copyButtons() {
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.addEventListener("click", () => copyField(button));
  });
}

function destinationFields() {
  const destination = document.getElementById("destination");
  if (!destination) { return; }
  const show = () => {
    const kind = destination.value === "email" ? "email" : "remote";
    document.querySelectorAll("[data-destination]").forEach((field) => {
      field.hidden = field.dataset.destination !== kind;
    });
  };
  destination.addEventListener("change", show);
  show();
}

function confirmations() {
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  itemsFollowLevel();
  arrangeColumns();
  copyButtons();
  destinationFields();
  confirmations();
  document.body.dataset.ready = "1";
});

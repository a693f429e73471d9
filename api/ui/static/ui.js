// The only script of the UI: filter the objects of a version as you type, expand or fold them all.
// Everything works without it (the search form asks the server).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const filter = document.getElementById("object-filter");
  if (filter) {
    filter.addEventListener("input", () => {
      const needle = filter.value.trim().toLowerCase();
      for (const section of document.querySelectorAll("section.kind")) {
        let shown = 0;
        for (const item of section.querySelectorAll("details.object")) {
          const match = !needle || item.dataset.name.includes(needle);
          item.hidden = !match;
          if (match) shown += 1;
        }
        section.hidden = shown === 0;
        const count = section.querySelector(".count");
        if (count) count.textContent = String(shown);
      }
    });
  }
  // An object's highlighted DDL is fetched when it is first opened (a version may have 250 tables).
  for (const item of document.querySelectorAll("details.object[data-src]")) {
    item.addEventListener("toggle", () => {
      if (!item.open || item.dataset.loaded) return;
      item.dataset.loaded = "loading";
      fetch(item.dataset.src, { credentials: "same-origin" })
        .then((response) => (response.ok ? response.text() : Promise.reject(new Error(response.statusText))))
        .then((html) => {
          item.querySelector(".ddl").innerHTML = html;
          item.dataset.loaded = "yes";
        })
        .catch((error) => {
          item.querySelector(".ddl").textContent = `Could not load the DDL: ${error.message}`;
          delete item.dataset.loaded;
        });
    });
  }
  const expand = document.getElementById("expand-all");
  if (expand) {
    expand.addEventListener("click", () => {
      const items = [...document.querySelectorAll("details.object:not([hidden])")];
      const open = !items.every((item) => item.open);
      for (const item of items) item.open = open;
      expand.textContent = open ? "Fold all" : "Expand all";
    });
  }
});

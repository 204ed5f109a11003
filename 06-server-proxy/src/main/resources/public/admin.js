// The dashboard's script: fetches /admin/usage with the admin token typed into the page and
// draws one row per token. The admin token stays in a variable; nothing is stored.
"use strict";

let adminToken = null;
const SVG = "http://www.w3.org/2000/svg";

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.appendChild(td);
  return td;
}

// A bar showing spend against budget; its width is set through the DOM, which CSP allows.
function budgetBar(td, spent, budget) {
  const bar = document.createElement("div");
  bar.className = "bar";
  const fill = document.createElement("div");
  fill.className = "fill";
  const share = budget > 0 ? Math.min(1, spent / budget) : 0;
  fill.style.width = Math.round(share * 100) + "%";
  bar.appendChild(fill);
  td.appendChild(bar);
}

// Requests per minute as a small bar chart in SVG.
function sparkline(td, series) {
  const width = 150, height = 30, max = Math.max(1, ...series);
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  svg.setAttribute("class", "spark");
  series.forEach((count, i) => {
    const rect = document.createElementNS(SVG, "rect");
    const h = Math.round((count / max) * height);
    rect.setAttribute("x", i * (width / series.length));
    rect.setAttribute("y", height - h);
    rect.setAttribute("width", width / series.length - 1);
    rect.setAttribute("height", h);
    svg.appendChild(rect);
  });
  td.appendChild(svg);
}

async function load() {
  const status = document.getElementById("status");
  const response = await fetch("/admin/usage", { headers: { "Authorization": "Bearer " + adminToken } });
  if (!response.ok) {
    status.textContent = response.status === 401 ? "That is not the admin token." : "HTTP " + response.status;
    return;
  }
  const { data } = await response.json();
  const body = document.querySelector("#usage tbody");
  body.replaceChildren();
  for (const token of data) {
    const row = document.createElement("tr");
    cell(row, token.name + " (" + token.id + ", " + token.fingerprint + ")");
    cell(row, token.kind);
    cell(row, token.models.join(", ") || "(none)");
    cell(row, String(token.requests));
    const spend = cell(row, "$" + token.spent_usd + " / $" + token.budget_usd);
    budgetBar(spend, Number(token.spent_usd), Number(token.budget_usd));
    sparkline(cell(row, ""), token.requests_per_minute);
    cell(row, token.last_used || "never");
    cell(row, token.revoked ? "revoked" : token.expired ? "expired" : "active");
    body.appendChild(row);
  }
  document.getElementById("usage").hidden = false;
  status.textContent = data.length + " tokens; refreshed " + new Date().toLocaleTimeString();
}

document.getElementById("login").addEventListener("submit", (event) => {
  event.preventDefault();
  adminToken = document.getElementById("admin-token").value;
  document.getElementById("admin-token").value = "";
  load().catch((e) => { document.getElementById("status").textContent = e.message; });
  setInterval(() => load().catch(() => {}), 10000);
});

// The board's script: draws the room from the JSON the server sends (GET /board, then live from
// /board/live). Every value from the room is set with textContent or a data attribute, never as
// HTML, so a name like <img onerror=...> is shown as the text it is.
"use strict";

let board = null;
let clockOffset = 0; // the server's clock minus this browser's, so "minutes ago" is right on any projector

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) {
    node.textContent = text;
  }
  if (className) {
    node.className = className;
  }
  return node;
}

function ago(time) {
  if (!time) {
    return "no progress yet";
  }
  const seconds = Math.max(0, Math.round((Date.now() + clockOffset - Date.parse(time)) / 1000));
  if (seconds < 60) {
    return "just now";
  }
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? minutes + " min ago" : Math.floor(minutes / 60) + " h " + (minutes % 60) + " min ago";
}

function drawSummary() {
  const body = document.querySelector("#summary tbody");
  body.replaceChildren();
  for (const lab of board.summary) {
    const row = el("tr");
    row.dataset.lab = lab.lab;
    row.append(el("td", lab.lab), el("td", lab.title), el("td", String(lab.solved), "count-solved"),
      el("td", String(lab.working), "count-working"));
    body.appendChild(row);
  }
}

function labCell(participant, lab) {
  const state = participant.labs[lab] || "not started";
  const hints = participant.hints[lab] || 0;
  const cell = el("td", undefined, "lab " + state.replace(" ", "-"));
  cell.dataset.lab = lab;
  cell.dataset.state = state;
  cell.dataset.hints = String(hints);
  cell.appendChild(el("span", state === "solved" ? "solved *" : state === "started" ? "started" : "-", "state"));
  if (hints > 0) {
    cell.appendChild(el("span", hints === 1 ? "1 hint" : hints + " hints", "hints"));
  }
  const solve = participant.solves[lab];
  if (solve) {
    cell.title = "self-reported; check " + solve.check_version + "; files " + solve.digest.slice(0, 12);
  }
  return cell;
}

function drawParticipants() {
  const labs = board.summary.map(lab => lab.lab);
  const head = document.getElementById("participants-head");
  head.replaceChildren(el("th", "name"), ...labs.map(lab => el("th", "lab " + lab)), el("th", "last progress"));
  const body = document.querySelector("#participants tbody");
  body.replaceChildren();
  for (const participant of board.participants) {
    const row = el("tr");
    row.dataset.name = participant.name;
    row.appendChild(el("td", participant.name + (participant.left ? " (left)" : ""), "name"));
    for (const lab of labs) {
      row.appendChild(labCell(participant, lab));
    }
    row.appendChild(el("td", ago(participant.last_progress), "last"));
    body.appendChild(row);
  }
  document.getElementById("count").textContent = "(" + board.participants.length + ")";
  document.getElementById("empty").hidden = board.participants.length > 0;
}

function draw(next) {
  board = next;
  clockOffset = Date.parse(board.now) - Date.now();
  document.getElementById("self-reported").textContent = board.self_reported;
  drawSummary();
  drawParticipants();
  document.getElementById("status").textContent = "live; updated " + new Date().toLocaleTimeString();
}

function connect() {
  const live = new EventSource("/board/live");
  live.addEventListener("board", event => draw(JSON.parse(event.data)));
  live.addEventListener("error", () => {
    document.getElementById("status").textContent = "reconnecting to the room...";
  });
}

fetch("/board").then(response => response.json()).then(draw).catch(() => {});
connect();
// "minutes ago" moves on even when nobody reports anything.
setInterval(() => {
  if (board) {
    drawParticipants();
  }
}, 10000);

// The dashboard's script: signs in with the admin token typed into the page, polls the admin API
// with one timer, and sends the operator's actions through the same API. The admin token lives in
// one variable: never in storage or a cookie, gone on sign-out, on a refused token and with the tab.
import { alertItem, auditRow, el, stateWords, tokenRow, usd } from "./admin-view.js";

const REFRESH_MS = 10000;
let adminToken = null;
let timer = null; // the one refresh timer
let generation = 0; // moves on each sign-in and sign-out: answers for an older one are dropped
let latest = null; // the last usage answer, to draw again when the session filter changes

const $ = (id) => document.getElementById(id);

/** A refusal or failure of the admin API, in the server's own words. */
class ApiError extends Error {
  constructor(status, message, retryAfter) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

async function api(method, path, body) {
  const headers = { "Authorization": "Bearer " + adminToken };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (unreachable) {
    throw new ApiError(0, "The proxy could not be reached. Is it running?", null);
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (notJson) {
    json = null;
  }
  if (!response.ok) {
    const message = (json && json.error && json.error.message) || "The proxy answered HTTP " + response.status + ".";
    throw new ApiError(response.status, message, response.headers.get("Retry-After"));
  }
  return json;
}

/** Shows {@code message} in the banner (an error unless {@code ok}); null hides it. */
function banner(message, ok = false, source = "action") {
  const box = $("banner");
  box.hidden = message === null;
  box.textContent = message || "";
  box.className = ok ? "banner ok" : "banner";
  box.dataset.source = source;
}

function problem(error, source) {
  const wait = error.retryAfter ? " (the server says: retry after " + error.retryAfter + " s)" : "";
  banner(error.message + wait, false, source);
}

function stopRefreshing() {
  if (timer !== null) {
    clearInterval(timer);
    timer = null;
  }
}

function clearDashboard() {
  latest = null;
  for (const id of ["tokens", "audit"]) {
    document.querySelector("#" + id + " tbody").replaceChildren();
  }
  $("alerts").replaceChildren();
  $("alerts-empty").hidden = true;
  $("tokens-empty").hidden = true;
  for (const id of ["total-spend", "total-active", "total-states", "total-requests", "total-alerts", "sessions-note",
    "refreshed", "rotate-result", "copy-result"]) {
    $(id).textContent = "";
  }
  hideNewToken();
}

function signOut(message, ok = false) {
  generation++;
  adminToken = null;
  stopRefreshing();
  clearDashboard();
  $("dashboard").hidden = true;
  $("sign-out").hidden = true;
  $("signed-in").hidden = true;
  $("login-note").hidden = false;
  banner(message || null, ok);
}

async function signIn(candidate) {
  signOut(); // whatever happens next, the previous token and its table are gone
  adminToken = candidate;
  const mine = generation;
  if (await refresh(mine)) {
    $("dashboard").hidden = false;
    $("sign-out").hidden = false;
    $("signed-in").hidden = false;
    $("login-note").hidden = true;
    timer = setInterval(() => refresh(mine), REFRESH_MS);
  }
}

/** Fetches and draws everything; false when the token was refused (and the page signed out). */
async function refresh(mine) {
  try {
    const [usage, alerts, audit] = await Promise.all([api("GET", "/admin/usage"), api("GET", "/admin/alerts"),
      $("audit-panel").open ? api("GET", "/admin/audit") : Promise.resolve(null)]);
    if (mine !== generation) {
      return false;
    }
    latest = usage;
    drawTokens();
    drawTotals(usage.summary, alerts.data.length);
    $("alerts").replaceChildren(...alerts.data.map(alertItem));
    $("alerts-empty").hidden = alerts.data.length > 0;
    if (audit) {
      $("audit").querySelector("tbody").replaceChildren(...audit.data.slice().reverse().map(auditRow));
    }
    if ($("banner").dataset.source === "refresh") {
      banner(null);
    }
    $("refreshed").textContent = "Updated at " + new Date().toLocaleTimeString() + "; again every "
      + REFRESH_MS / 1000 + " s while this page is open.";
    return true;
  } catch (error) {
    if (mine !== generation) {
      return false;
    }
    if (error.status === 401) {
      signOut("That is not the admin token. Nothing is shown, and the page has stopped asking with it: "
        + "type the admin token again.");
      return false;
    }
    problem(error, "refresh");
    return true;
  }
}

function drawTotals(summary, alertCount) {
  const tokens = summary.tokens;
  $("total-spend").textContent = usd(summary.spent_usd);
  $("total-active").textContent = String(tokens.active);
  // The API counts them in order of precedence, revoked first; the header reads from the live end.
  const others = Object.keys(tokens).reverse().filter((state) => state !== "active" && tokens[state] > 0)
    .map((state) => tokens[state] + " " + stateWords(state));
  $("total-states").textContent = others.length ? others.join(" · ") : "no other client tokens";
  $("total-requests").textContent = String(summary.requests_last_hour);
  $("total-alerts").textContent = String(alertCount);
  const sessions = summary.sessions;
  const live = sessions.active + sessions.nearly_spent + sessions.rate_limited + sessions.blocked;
  $("sessions-note").textContent = "Chat-page sessions: " + live + " live, " + (sessions.expired + sessions.revoked)
    + " ended" + ($("show-sessions").checked ? "." : " (hidden).");
}

function drawTokens() {
  if (latest === null) {
    return;
  }
  const shown = latest.data.filter((token) => token.kind !== "session" || $("show-sessions").checked);
  $("tokens").querySelector("tbody").replaceChildren(...shown.map((token) => tokenRow(token, revoke)));
  $("tokens").hidden = shown.length === 0;
  $("tokens-empty").hidden = latest.data.some((token) => token.kind !== "session");
}

async function revoke(token) {
  if (!confirm("Revoke the token '" + token.name + "' (" + token.id + ")? Every app using it is refused "
    + "from its next request on. This cannot be undone.")) {
    return;
  }
  const mine = generation;
  try {
    await api("DELETE", "/admin/tokens/" + encodeURIComponent(token.id));
    banner("Revoked '" + token.name + "' (" + token.id + ").", true);
  } catch (error) {
    problem(error, "action");
  }
  await refresh(mine);
}

async function create(event) {
  event.preventDefault();
  const mine = generation;
  const grant = {
    name: $("new-name").value.trim(),
    models: $("new-models").value.split(",").map((model) => model.trim()).filter((model) => model),
    budget_usd: Number($("new-budget").value),
    rpm: Number($("new-rpm").value),
    expires_in_seconds: Number($("new-expiry").value),
    max_tokens: Number($("new-max-tokens").value),
  };
  try {
    const created = await api("POST", "/admin/tokens", grant);
    $("new-token-secret").textContent = created.token;
    $("new-token").hidden = false;
    $("copy-result").textContent = "";
    $("new-name").value = "";
    banner(null);
  } catch (error) {
    problem(error, "action");
  }
  await refresh(mine);
}

// The one place the new token's secret is in the page; hidden, it is gone from the DOM too.
function hideNewToken() {
  $("new-token-secret").textContent = "";
  $("new-token").hidden = true;
}

async function copyNewToken() {
  const secret = $("new-token-secret");
  try {
    await navigator.clipboard.writeText(secret.textContent);
    $("copy-result").textContent = "Copied. Hand it to the app's owner, then hide it.";
  } catch (refused) {
    window.getSelection().selectAllChildren(secret);
    $("copy-result").textContent = "The browser would not copy it: it is selected, press Ctrl+C (or Cmd+C).";
  }
}

async function rotate() {
  const mine = generation;
  $("rotate-result").textContent = "Reading the key...";
  try {
    const result = await api("POST", "/admin/rotate");
    $("rotate-result").textContent = result.changed
      ? "A new key was read and is used from the next request on."
      : "Read again: the key is unchanged.";
  } catch (error) {
    $("rotate-result").textContent = "";
    problem(error, "action");
  }
  await refresh(mine);
}

$("login").addEventListener("submit", (event) => {
  event.preventDefault();
  const candidate = $("admin-token").value;
  $("admin-token").value = "";
  signIn(candidate);
});
$("sign-out").addEventListener("click", () => signOut("Signed out: the page has forgotten the admin token.", true));
$("create").addEventListener("submit", create);
$("copy-token").addEventListener("click", copyNewToken);
$("done-token").addEventListener("click", hideNewToken);
$("rotate").addEventListener("click", rotate);
$("show-sessions").addEventListener("change", () => {
  drawTokens();
  if (latest !== null) {
    drawTotals(latest.summary, $("alerts").children.length);
  }
});
$("audit-panel").addEventListener("toggle", () => {
  if ($("audit-panel").open && adminToken !== null) {
    refresh(generation);
  }
});

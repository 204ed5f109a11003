// How the dashboard shows what the admin API answers: amounts, local times, one row per token,
// the alerts and the audit log. Only DOM building here (text nodes, never HTML strings); what to
// fetch and when is in admin.js.

const SVG = "http://www.w3.org/2000/svg";

/** An element with attributes ("text" sets its text) and children (strings become text nodes). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name === "class") {
      node.className = value;
    } else if (name === "text") {
      node.textContent = value;
    } else {
      node.setAttribute(name, value);
    }
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/**
 * An amount for people: cents from a dollar up, two significant digits below ($0.00062, not $0.00),
 * rounded as the server rounds its sentences when {@code direction} says so: what a request needs
 * "up", what is left "down", so the two never read the same when one cannot cover the other.
 */
export function usd(amount, direction = "nearest") {
  const value = Number(amount);
  if (!Number.isFinite(value) || value === 0) {
    return "$0";
  }
  const round = { up: Math.ceil, down: Math.floor, nearest: Math.round }[direction];
  // Amounts are whole nano-dollars: rounding to 9 places first keeps float noise out of ceil and floor.
  const scale = value >= 1 ? 100 : Math.pow(10, 1 - Math.floor(Math.log10(value)));
  const rounded = round(Math.round(value * scale * 1e9) / 1e9) / scale;
  if (value >= 1) {
    return "$" + rounded.toFixed(2);
  }
  const decimals = Math.min(9, Math.max(2, 1 - Math.floor(Math.log10(rounded))));
  return "$" + rounded.toFixed(decimals).replace(/(\.\d\d\d*?)0+$/, "$1");
}

/** The server's instants carry nanoseconds; a Date takes milliseconds. */
function parse(instant) {
  return new Date(String(instant).replace(/(\.\d{3})\d+/, "$1")).getTime();
}

/** An instant as the operator's local date and time, for a tooltip. */
export function localDate(instant) {
  return new Date(parse(instant)).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** How long ago (or how soon) an instant is: "just now", "3 min ago", "in 52 min", "2 days ago". */
export function relative(instant, now = Date.now()) {
  const seconds = Math.round((now - parse(instant)) / 1000);
  const span = Math.abs(seconds);
  if (span < 45) {
    return seconds >= 0 ? "just now" : "in a few seconds";
  }
  let text;
  if (span < 3600) {
    text = Math.max(1, Math.round(span / 60)) + " min";
  } else if (span < 86400) {
    text = Math.round(span / 3600) + " h";
  } else if (span < 14 * 86400) {
    const days = Math.round(span / 86400);
    text = days + (days === 1 ? " day" : " days");
  } else {
    return "on " + localDate(instant);
  }
  return seconds >= 0 ? text + " ago" : "in " + text;
}

/** A span saying when, relatively, with the local date and time as its tooltip. */
export function when(prefix, instant) {
  return el("span", { title: localDate(instant) }, prefix + relative(instant));
}

/** A state as words: the API's own, underscores read as spaces. */
export function stateWords(state) {
  return state.replace(/_/g, " ");
}

/** The smallest 1, 2 or 5 times a power of ten at or above {@code value}: a chart's top. */
function niceCeiling(value) {
  const power = Math.pow(10, Math.floor(Math.log10(value)));
  return [1, 2, 5, 10].map((step) => step * power).find((top) => top >= value);
}

/** Requests received per minute for 30 minutes as bars, with a scale and the token's limit when in reach. */
export function chart(series, rpm) {
  const peak = Math.max(0, ...series);
  const limitShown = rpm <= 4 * Math.max(peak, 1);
  const top = niceCeiling(Math.max(peak, 1, limitShown ? rpm : 0));
  const [left, right, high, low] = [26, 198, 6, 46];
  const y = (count) => low - (count / top) * (low - high);
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 200 60");
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  const add = (tag, attributes, text) => {
    const node = document.createElementNS(SVG, tag);
    Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, value));
    if (text !== undefined) {
      node.textContent = text;
    }
    svg.appendChild(node);
  };
  add("title", {}, "Requests received per minute, last 30 minutes: peak " + peak + ", limit " + rpm);
  const slot = (right - left) / series.length;
  series.forEach((count, i) => add("rect", { class: "minute", x: (left + i * slot + 0.5).toFixed(1),
    y: y(count).toFixed(1), width: Math.max(1, slot - 1).toFixed(1), height: (low - y(count)).toFixed(1) }));
  add("line", { class: "axis", x1: left, y1: low, x2: right, y2: low });
  add("line", { class: "axis", x1: left, y1: high, x2: left, y2: low });
  add("text", { x: left - 3, y: high + 6, "text-anchor": "end" }, String(top));
  add("text", { x: left - 3, y: low, "text-anchor": "end" }, "0");
  add("text", { x: left, y: 58 }, "30 min ago");
  add("text", { x: right, y: 58, "text-anchor": "end" }, "now");
  if (limitShown) {
    add("line", { class: "limit", x1: left, y1: y(rpm).toFixed(1), x2: right, y2: y(rpm).toFixed(1) });
  }
  return svg;
}

function plural(count, noun) {
  return count + " " + noun + (count === 1 ? "" : "s");
}

function cell(label, ...children) {
  return el("td", { "data-label": label || null }, ...children);
}

function spend(token) {
  const budget = Number(token.budget_usd);
  const share = budget > 0 ? Math.min(1, Number(token.spent_usd) / budget) : 1;
  const fill = el("div", { class: "fill" + (share >= 1 || token.state === "blocked" ? " full" : share >= 0.8 ? " high" : "") });
  fill.style.width = Math.round(share * 100) + "%"; // through the DOM, which the CSP allows
  return [usd(token.spent_usd) + " of " + usd(token.budget_usd), el("div", { class: "bar" }, fill),
    el("div", { class: "meta" }, usd(token.left_usd) + " left" + (Number(token.reserved_usd) > 0
      ? ", " + usd(token.reserved_usd) + " held by requests in flight" : ""))];
}

function requests(token) {
  const series = token.requests_per_minute || [];
  const peak = Math.max(0, ...series);
  return [chart(series, token.rpm),
    el("div", {}, token.received_last_30_min + " received, last 30 min"),
    el("div", { class: "meta" }, "peak " + peak + "/min of " + token.rpm + " allowed"),
    el("div", {}, token.requests + " sent upstream"),
    el("div", { class: "meta" }, token.last_used ? when("last ", token.last_used) : "never sent upstream")];
}

function limits(token) {
  const ended = token.expired ? "expired " : "expires ";
  return [el("div", {}, token.models.length ? token.models.join(", ") : "(no model)"),
    el("div", { class: "meta" }, plural(token.rpm, "request") + " a minute, " + plural(token.max_tokens, "output token")
      + " a request"),
    el("div", { class: "meta" }, when(ended, token.expires_at)),
    el("div", { class: "meta" }, when("created ", token.created_at))];
}

/** One token as a table row (a card on a narrow screen); {@code onRevoke} is called by its button. */
export function tokenRow(token, onRevoke) {
  const revoke = token.revoked || token.expired ? null
    : el("button", { class: "danger", type: "button", "data-revoke": token.id }, "Revoke");
  if (revoke) {
    revoke.addEventListener("click", () => onRevoke(token));
  }
  return el("tr", { "data-id": token.id, "data-state": token.state },
    cell("token", el("strong", {}, token.name),
      el("div", { class: "meta" }, token.id + " · " + token.fingerprint + (token.kind === "session" ? " · chat-page session" : ""))),
    cell("state", el("span", { class: "badge state-" + token.state }, stateWords(token.state)),
      token.state_detail ? el("div", { class: "meta state-detail" }, token.state_detail) : null),
    cell("spend", ...spend(token)),
    cell("requests", ...requests(token)),
    cell("limits", ...limits(token)),
    cell("", revoke));
}

const ALERT_WORDS = {
  budget_nearly_spent: "budget nearly spent",
  request_spike: "request spike",
  upstream_key_refused: "server key refused",
};

function alertText(alert) {
  switch (alert.alert) {
    case "budget_nearly_spent":
      return alert.reason === "cannot_cover_a_request"
        ? "needs " + usd(alert.needs_usd, "up") + " a request, " + usd(alert.left_usd, "down") + " left of "
          + usd(alert.budget_usd)
        : "spent " + usd(alert.spent_usd) + " of " + usd(alert.budget_usd);
    case "request_spike":
      return alert.requests_this_minute + " requests in a minute, against " + alert.baseline_per_minute + " a minute before";
    case "upstream_key_refused":
      return "OpenAI answered " + alert.status + " to the key " + alert.key + ": " + alert.action;
    default:
      return "";
  }
}

/** One alert: what, which token (by name, id and fingerprint), and when in local time. */
export function alertItem(alert) {
  const who = alert.token ? (alert.name || "") + " (" + alert.token + ", " + alert.fingerprint + ")" : "the server's key";
  const time = new Date(parse(alert.at)).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  return el("li", { class: "alert-" + alert.alert, "data-kind": alert.alert },
    el("span", { class: "kind" }, ALERT_WORDS[alert.alert] || stateWords(alert.alert)),
    el("span", {}, el("strong", {}, who), " ", el("span", { class: "meta" }, alertText(alert))),
    el("span", { class: "when", title: localDate(alert.at) }, relative(alert.at) + " · " + time));
}

/** One audit event as a row. */
export function auditRow(event) {
  return el("tr", {},
    cell("when", when("", event.at)),
    cell("action", event.action),
    cell("subject", event.subject || "-"),
    cell("fingerprint", event.fingerprint || "-"),
    cell("detail", event.detail || "-"),
    cell("from", event.remote));
}

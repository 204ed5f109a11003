// The chat page's whole script. The session token lives in this variable only: not in
// localStorage, not in a cookie, so it is gone when the tab closes, and it expires in minutes.
"use strict";

let session = null; // { token, model, expiresAt, conversationBytes }
const turns = []; // answered questions and their answers, oldest first: what goes along with the next one
let busy = false;

const $ = (id) => document.getElementById(id);

/** Why a question got no answer, in plain words, and how long the server asked us to wait. */
class Refusal extends Error {
  constructor(message, retryAfter) {
    super(message);
    this.retryAfter = retryAfter ? Number(retryAfter) : 0;
  }
}

async function post(path, options) {
  try {
    return await fetch(path, Object.assign({ method: "POST" }, options));
  } catch (unreachable) {
    throw new Refusal("The server could not be reached. Check your connection, then retry.", null);
  }
}

/** The server's own message from an error answer, read to its end. */
async function serverMessage(response) {
  const body = await response.json().catch(() => ({}));
  return { message: (body.error && body.error.message) || "", code: body.error && body.error.code };
}

async function newSession() {
  const response = await post("/session", {});
  if (!response.ok) {
    const { message } = await serverMessage(response);
    throw new Refusal("The server would not start a chat session. " + (message || "(HTTP " + response.status + ")"),
      response.headers.get("Retry-After"));
  }
  const body = await response.json();
  session = { token: body.token, model: body.model, expiresAt: Date.now() + body.expires_in * 1000,
    conversationBytes: body.conversation_bytes || 0 };
  if (session.conversationBytes === 0) {
    $("memory").textContent = "Each question stands alone: this server's chat sessions have too small a budget "
      + "to send earlier turns along.";
  }
}

async function validSession() {
  if (session === null || Date.now() > session.expiresAt - 5000) {
    await newSession();
  }
  return session;
}

/** The question with as many of the latest earlier turns as the session allows, oldest first. */
function conversation(question) {
  const asked = { role: "user", content: question };
  const size = (message) => new TextEncoder().encode(JSON.stringify(message)).length + 1;
  let bytes = size(asked);
  let kept = turns.length;
  while (kept > 0 && bytes + size(turns[kept - 1]) <= session.conversationBytes) {
    bytes += size(turns[kept - 1]);
    kept--;
  }
  const earlier = turns.slice(kept);
  // Never start with an answer whose question was left out.
  if (earlier.length > 0 && earlier[0].role !== "user") {
    earlier.shift();
  }
  return { messages: earlier.concat([asked]), earlier: earlier.length / 2, left: (turns.length - earlier.length) / 2 };
}

/** A refused answer in plain words: what happened, then what the server said. */
async function refusalOf(response) {
  const { message, code } = await serverMessage(response);
  const retryAfter = response.headers.get("Retry-After");
  const said = message ? " (The server says: " + message + ")" : "";
  if (code === "budget_exceeded") {
    session = null; // a retry starts a new session with a budget of its own
    return new Refusal("This chat session has spent its budget. Retry starts a new session." + said, retryAfter);
  }
  if (code === "rate_limited") {
    return new Refusal("Too many questions in a minute for this chat session." + said, retryAfter);
  }
  if (response.status >= 500) {
    return new Refusal("The answer could not be fetched just now." + said, retryAfter);
  }
  return new Refusal("The server refused this question." + said, retryAfter);
}

// Reads the server-sent events to the end of the body (not only to [DONE], so the request ends
// cleanly) and shows each piece of the answer as it arrives.
async function streamAnswer(response, target) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const shown = document.createTextNode("");
  target.append(shown);
  let pending = "";
  let finished = false;
  let failure = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      break;
    }
    pending += decoder.decode(value, { stream: true });
    let newline;
    while ((newline = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (finished || !line.startsWith("data:")) {
        continue;
      }
      const data = line.slice(5).trim();
      if (data === "[DONE]") {
        finished = true;
        continue;
      }
      const event = JSON.parse(data);
      if (event.error) {
        failure = event.error.message;
        finished = true;
        continue;
      }
      for (const choice of event.choices || []) {
        if (choice.delta && choice.delta.content) {
          shown.textContent += choice.delta.content;
        }
      }
    }
  }
  if (failure !== null || !finished) {
    throw new Refusal("The answer broke off before its end." + (failure ? " (The server says: " + failure + ")" : ""));
  }
  return shown.textContent;
}

function addMessage(role, text) {
  const entry = document.createElement("div");
  entry.className = "message " + role;
  entry.textContent = text;
  $("log").appendChild(entry);
  return entry;
}

function setBusy(value) {
  busy = value;
  $("send").disabled = value;
  document.querySelectorAll("button.retry").forEach((button) => { button.disabled = value || button.dataset.wait > 0; });
}

/** Shows why {@code answer} failed, with a retry button that waits for Retry-After when the server gave one. */
function fail(answer, question, error) {
  answer.classList.add("failed");
  answer.dataset.state = "failed";
  const problem = document.createElement("span");
  problem.className = "problem";
  problem.textContent = error.message;
  const retry = document.createElement("button");
  retry.type = "button";
  retry.className = "retry quiet";
  retry.dataset.wait = String(error.retryAfter);
  const tick = () => {
    const wait = Number(retry.dataset.wait);
    retry.textContent = wait > 0 ? "Retry in " + wait + " s" : "Retry";
    retry.disabled = busy || wait > 0;
    if (wait > 0) {
      retry.dataset.wait = String(wait - 1);
      setTimeout(tick, 1000);
    }
  };
  tick();
  retry.addEventListener("click", () => {
    if (!busy) {
      ask(question, answer);
    }
  });
  answer.append(problem, retry);
  $("status").textContent = "Not answered. Your question is kept: Retry sends it again.";
}

async function ask(question, answer) {
  setBusy(true);
  answer.classList.remove("failed");
  answer.replaceChildren();
  answer.dataset.state = "asking";
  $("status").textContent = "Asking...";
  try {
    for (let attempt = 0; ; attempt++) {
      const { token, model } = await validSession();
      const { messages, earlier, left } = conversation(question);
      const response = await post("/v1/chat/completions", {
        headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
        body: JSON.stringify({ model: model, stream: true, messages: messages }),
      });
      if (response.status === 401 && attempt === 0) {
        await response.text();
        session = null; // expired or revoked: one new session, then give up
        continue;
      }
      if (!response.ok) {
        throw await refusalOf(response);
      }
      const text = await streamAnswer(response, answer);
      turns.push({ role: "user", content: question }, { role: "assistant", content: text });
      answer.dataset.state = "done";
      $("status").textContent = "Answered" + (earlier === 1 ? ", with the exchange before it"
        : earlier > 1 ? ", with the " + earlier + " exchanges before it" : "")
        + (left > 0 ? "; " + left + " older left out to stay within the session's budget." : ".");
      return;
    }
  } catch (error) {
    fail(answer, question, error instanceof Refusal ? error
      : new Refusal("The connection to the server broke off. Retry to ask again."));
  } finally {
    setBusy(false);
  }
}

$("ask").addEventListener("submit", (event) => {
  event.preventDefault();
  const prompt = $("prompt");
  const text = prompt.value.trim();
  if (busy || !text) {
    return;
  }
  prompt.value = "";
  addMessage("user", text);
  ask(text, addMessage("assistant", ""));
});

$("prompt").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("ask").requestSubmit();
  }
});

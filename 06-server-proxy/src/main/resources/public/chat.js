// The chat page's whole script. The session token lives in this variable only: not in
// localStorage, not in a cookie, so it is gone when the tab closes, and it expires in minutes.
"use strict";

let session = null; // { token, model, expiresAt }

async function newSession() {
  const response = await fetch("/session", { method: "POST" });
  if (!response.ok) {
    throw new Error("the server gave no session (HTTP " + response.status + ")");
  }
  const body = await response.json();
  session = { token: body.token, model: body.model, expiresAt: Date.now() + body.expires_in * 1000 };
}

async function validSession() {
  if (session === null || Date.now() > session.expiresAt - 5000) {
    await newSession();
  }
  return session;
}

function addMessage(role, text) {
  const entry = document.createElement("div");
  entry.className = "message " + role;
  entry.textContent = text;
  document.getElementById("log").appendChild(entry);
  return entry;
}

// Reads a server-sent event stream and appends each piece of the answer as it arrives.
async function streamAnswer(response, target) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let pending = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    pending += decoder.decode(value, { stream: true });
    let newline;
    while ((newline = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (!line.startsWith("data:")) {
        continue;
      }
      const data = line.slice(5).trim();
      if (data === "[DONE]") {
        return;
      }
      const event = JSON.parse(data);
      if (event.error) {
        target.textContent += " [" + event.error.message + "]";
        return;
      }
      for (const choice of event.choices || []) {
        if (choice.delta && choice.delta.content) {
          target.textContent += choice.delta.content;
        }
      }
    }
  }
}

async function ask(prompt) {
  const status = document.getElementById("status");
  addMessage("user", prompt);
  const answer = addMessage("assistant", "");
  for (let attempt = 0; attempt < 2; attempt++) {
    const { token, model } = await validSession();
    const response = await fetch("/v1/chat/completions", {
      method: "POST",
      headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
      body: JSON.stringify({ model: model, stream: true, messages: [{ role: "user", content: prompt }] })
    });
    if (response.status === 401 && attempt === 0) {
      session = null; // expired or revoked: one new session, then give up
      continue;
    }
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      status.textContent = (body.error && body.error.message) || ("HTTP " + response.status);
      return;
    }
    await streamAnswer(response, answer);
    status.textContent = "done";
    return;
  }
}

document.getElementById("ask").addEventListener("submit", (event) => {
  event.preventDefault();
  const prompt = document.getElementById("prompt");
  const text = prompt.value.trim();
  if (text) {
    prompt.value = "";
    document.getElementById("status").textContent = "asking...";
    ask(text).catch((e) => { document.getElementById("status").textContent = e.message; });
  }
});

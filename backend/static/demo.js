"use strict";
const box = document.getElementById("text");
const list = document.getElementById("suggestions");
const status = document.getElementById("status");
let timer = 0;
let latest = 0;

async function suggest() {
  const text = box.value;
  const id = ++latest;
  if (!text.trim()) { list.replaceChildren(); status.textContent = ""; return; }
  try {
    const res = await fetch("/v1/suggest", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text, k: 5 }),
    });
    const body = await res.json();
    if (id !== latest) return; // a newer request is on its way
    if (!res.ok) { status.textContent = body.error ? body.error.message : "error " + res.status; return; }
    status.textContent = "";
    list.replaceChildren(...body.suggestions.map((s) => {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button"; b.textContent = s.emoji; b.title = s.name;
      b.addEventListener("click", async () => {
        await navigator.clipboard.writeText(s.emoji).catch(() => {});
        status.textContent = "Copied " + s.emoji;
      });
      const score = document.createElement("small");
      score.textContent = (100 * s.score).toFixed(0) + "%";
      li.append(b, score);
      return li;
    }));
  } catch {
    if (id === latest) status.textContent = "The server is not answering.";
  }
}

box.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(suggest, 150); });

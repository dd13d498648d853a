// The chat page: asks POST /ask with the conversation so far and shows each answer with numbered
// citations that expand to their passage (the lines that answer marked). Conversations are kept in
// this browser's localStorage (a list of past ones, 新对话 starts another) and come back on reload.
// Each answer has a copy button (its text with the numbered sources); a long answer is folded
// after a few lines with 展开. Answers stream in as they are written (server-sent events) when the
// server sends them so. 范围 (scope) limits the documents answered from (kind, years, school), sent
// as /ask's `filters` and kept with the conversation. Text from the server is only ever set as textContent.
"use strict";

(function () {
  const { el, location, documentLink, problem, copyText, store, KIND_NAMES } = window.Common;
  const MAX_HISTORY = 20; // the library reads the last 20 earlier questions
  const MAX_CONVERSATIONS = 50;
  const MAX_TURNS = 100;
  const FOLD_LINES = 8; // answers longer than this many lines are folded
  const STORE_KEY = "assistant.conversations.v1";
  const CURRENT_KEY = "assistant.current.v1";
  const conversation = document.getElementById("conversation");
  const form = document.getElementById("ask-form");
  const input = document.getElementById("question");
  const topK = document.getElementById("top-k");
  const send = document.getElementById("send");
  const status = document.getElementById("status");
  const template = document.getElementById("citation-template");
  const list = document.getElementById("conversation-list");
  const panel = document.getElementById("history-panel");
  const toggle = document.getElementById("show-history");
  const welcomeNode = document.getElementById("welcome");
  const scope = {
    box: document.getElementById("scope"), summary: document.getElementById("scope-summary"),
    kind: document.getElementById("scope-kind"), since: document.getElementById("scope-since"),
    until: document.getElementById("scope-until"), org: document.getElementById("scope-org"),
    collection: document.getElementById("scope-collection"),
  };
  let turn = 0;

  // --- scope: which documents to answer from ------------------------------------------------
  for (const [kind, name] of Object.entries(KIND_NAMES)) {
    const option = el("option", null, name);
    option.value = kind;
    scope.kind.appendChild(option);
  }

  // The collections (knowledge bases) to pick from, when the server has more than one.
  fetch("/collections").then((r) => (r.ok ? r.json() : null)).then((data) => {
    const names = data && Array.isArray(data.collections) ? data.collections.map((c) => c.name) : [];
    const kept = scope.collection.dataset.wanted || "";
    for (const name of names) {
      const option = el("option", null, name === "default" ? "默认 default" : name);
      option.value = name;
      scope.collection.appendChild(option);
    }
    document.getElementById("scope-collection-field").hidden = names.length < 2;
    scope.collection.value = names.includes(kept) ? kept : "";
    showScope();
  }).catch(() => {});

  function filters() {
    const out = {};
    if (scope.collection.value) out.collection = [scope.collection.value];
    if (scope.kind.value) out.kind = [scope.kind.value];
    for (const [field, input] of [["since", scope.since], ["until", scope.until], ["organisation", scope.org]]) {
      if (input.value.trim()) out[field] = input.value.trim();
    }
    return Object.keys(out).length ? out : null;
  }

  function showScope() {
    const f = filters();
    const parts = [];
    if (f && f.collection) parts.push(f.collection[0] === "default" ? "默认 default" : f.collection[0]);
    if (f && f.kind) parts.push(KIND_NAMES[f.kind[0]] || f.kind[0]);
    if (f && (f.since || f.until)) parts.push(`${f.since || ""}–${f.until || ""}`);
    if (f && f.organisation) parts.push(f.organisation);
    scope.summary.textContent = parts.length ? ` · ${parts.join(" · ")}` : "";
    scope.box.classList.toggle("active", parts.length > 0);
  }

  function setScope(f) {
    const wanted = (f && f.collection && f.collection[0]) || "";
    scope.collection.dataset.wanted = wanted; // kept until the list of collections has arrived
    scope.collection.value = wanted;
    if (scope.collection.value !== wanted) scope.collection.value = "";
    scope.kind.value = (f && f.kind && f.kind[0]) || "";
    scope.since.value = (f && f.since) || "";
    scope.until.value = (f && f.until) || "";
    scope.org.value = (f && f.organisation) || "";
    showScope();
  }

  for (const input of [scope.collection, scope.kind, scope.since, scope.until, scope.org]) {
    input.addEventListener("input", showScope);
    input.addEventListener("change", showScope);
  }
  scope.collection.addEventListener("change", () => { scope.collection.dataset.wanted = scope.collection.value; });
  document.getElementById("scope-clear").addEventListener("click", () => setScope(null));

  // --- stored conversations ------------------------------------------------------------
  function loadAll() {
    try {
      const data = JSON.parse(store.get(STORE_KEY) || "[]");
      return Array.isArray(data) ? data.filter((c) => c && Array.isArray(c.turns)) : [];
    } catch (_) {
      return [];
    }
  }
  let conversations = loadAll();
  let current = conversations.find((c) => c.id === store.get(CURRENT_KEY)) || null;

  function saveAll() {
    conversations.sort((a, b) => b.updated - a.updated);
    conversations = conversations.slice(0, MAX_CONVERSATIONS);
    // when the browser's storage is full, the oldest conversations go first
    while (store.set(STORE_KEY, JSON.stringify(conversations)) === "full" && conversations.length > 1) {
      conversations.pop();
    }
    store.set(CURRENT_KEY, current ? current.id : "");
    renderList();
  }

  function history() {
    // each answer's `turn` (what it was read as, which section answered) when it has one: the
    // server then answers nothing again
    return current ? current.turns.map((t) => (t.answer && t.answer.turn) || t.question) : [];
  }

  function record(question, data) {
    if (!current) {
      current = { id: `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
                  title: question.slice(0, 40), created: Date.now(), updated: Date.now(), turns: [] };
      conversations.unshift(current);
    }
    current.turns.push({ question, answer: data, at: Date.now() });
    current.filters = filters();
    current.turns = current.turns.slice(-MAX_TURNS);
    current.updated = Date.now();
    saveAll();
  }

  function when(ms) {
    const d = new Date(ms);
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getMonth() + 1}月${d.getDate()}日 ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }

  function renderList() {
    list.replaceChildren();
    if (!conversations.length) {
      list.appendChild(el("li", "empty", "还没有保存的对话。"));
      return;
    }
    for (const c of conversations) {
      const item = el("li", c === current ? "conversation-item current" : "conversation-item");
      const open = el("button", "open-conversation");
      open.type = "button";
      open.appendChild(el("span", "conv-title", c.title));
      open.appendChild(el("span", "conv-meta", `${when(c.updated)} · ${c.turns.length} 问`));
      open.addEventListener("click", () => {
        current = c;
        store.set(CURRENT_KEY, c.id);
        showConversation();
        renderList();
        closePanel();
      });
      const remove = el("button", "remove-conversation secondary small", "删除");
      remove.type = "button";
      remove.title = "删除这段对话";
      remove.addEventListener("click", () => {
        conversations = conversations.filter((x) => x !== c);
        if (current === c) {
          current = null;
          showConversation();
        }
        saveAll();
      });
      item.append(open, remove);
      list.appendChild(item);
    }
  }

  function showConversation() {
    for (const row of Array.from(conversation.querySelectorAll(".msg"))) row.remove();
    turn = 0;
    setScope(current ? current.filters : null);
    const turns = current ? current.turns : [];
    if (turns.length) {
      welcomeNode.remove();
    } else if (!welcomeNode.isConnected) {
      conversation.prepend(welcomeNode);
    }
    for (const t of turns) {
      showQuestion(t.question, false);
      showAnswer(t.answer, false);
    }
    const last = conversation.lastElementChild;
    if (last && turns.length) last.scrollIntoView({ block: "start" });
  }

  function openPanel() {
    document.body.classList.add("history-open");
    toggle.setAttribute("aria-expanded", "true");
  }
  function closePanel() {
    document.body.classList.remove("history-open");
    toggle.setAttribute("aria-expanded", "false");
  }

  // --- one answer ----------------------------------------------------------------------
  // The fragments of the answer that quote a passage: its sentences and clauses, without the
  // [n] markers and the framing around them.
  function quotedFragments(answer) {
    return answer.replace(/\[\d+\]/g, "\n").split(/[\n。;;!?!?]|……|…/)
      .map((f) => f.replace(/^[\s::,,、“”"'》《]+|[\s::,,、“”"'》《]+$/g, ""))
      .filter((f) => f.replace(/\s/g, "").length >= 6);
  }

  // The passage with the sentences the answer quotes marked (<mark class="hit">).
  function markedPassage(node, text, answer) {
    const chars = [];
    const positions = [];
    for (let i = 0; i < text.length; i += 1) {
      if (!/\s/.test(text[i])) {
        chars.push(text[i]);
        positions.push(i);
      }
    }
    const flat = chars.join("");
    const ranges = [];
    for (const fragment of quotedFragments(answer)) {
      const needle = fragment.replace(/\s/g, "");
      let at = flat.indexOf(needle);
      while (at >= 0) {
        ranges.push([positions[at], positions[at + needle.length - 1] + 1]);
        at = flat.indexOf(needle, at + needle.length);
      }
    }
    if (!ranges.length) {
      node.textContent = text;
      return 0;
    }
    // widen each to its whole sentence, then merge
    const boundary = /[。;;!?!?\n]/;
    const whole = ranges.map(([s, e]) => {
      while (s > 0 && !boundary.test(text[s - 1])) s -= 1;
      while (e < text.length && !boundary.test(text[e - 1] || "")) e += 1;
      return [s, e];
    }).sort((a, b) => a[0] - b[0]);
    const merged = [];
    for (const r of whole) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push(r.slice());
    }
    node.replaceChildren();
    let position = 0;
    for (const [s, e] of merged) {
      if (s > position) node.appendChild(document.createTextNode(text.slice(position, s)));
      node.appendChild(el("mark", "hit", text.slice(s, e)));
      position = e;
    }
    if (position < text.length) node.appendChild(document.createTextNode(text.slice(position)));
    return merged.length;
  }

  function citationItem(c, id, answer) {
    const item = template.content.firstElementChild.cloneNode(true);
    item.id = id;
    item.dataset.n = c.n;
    item.querySelector(".cite-n").textContent = `[${c.n}]`;
    item.querySelector(".cite-title").textContent = `《${c.title}》`;
    item.querySelector(".cite-section").textContent = c.section || "(开头)";
    item.querySelector(".cite-loc").textContent = location(c);
    item.querySelector(".meta-doc").textContent = `${c.title}(${c.doc_id})`;
    item.querySelector(".meta-section").textContent = c.section || "(开头)";
    item.querySelector(".meta-lines").textContent = location(c);
    markedPassage(item.querySelector(".passage"), c.text || "", answer);
    item.querySelector(".open-doc").href = documentLink(c);
    return item;
  }

  function openCitation(id) {
    const item = document.getElementById(id);
    if (!item) return;
    item.querySelector("details").open = true;
    const hit = item.querySelector("mark.hit");
    (hit || item).scrollIntoView({ behavior: "smooth", block: "nearest" });
    item.classList.add("flash");
    setTimeout(() => item.classList.remove("flash"), 1200);
  }

  // The answer text with each [n] turned into a button that opens citation n.
  function answerText(text, prefix, count) {
    const body = el("div", "answer-text");
    for (const part of text.split(/(\[\d+\])/)) {
      const match = /^\[(\d+)\]$/.exec(part);
      const n = match ? Number(match[1]) : 0;
      if (match && n >= 1 && n <= count) {
        const ref = el("button", "ref", part);
        ref.type = "button";
        ref.title = `查看出处 ${part}`;
        ref.addEventListener("click", () => openCitation(`${prefix}-c${n}`));
        body.appendChild(ref);
      } else if (part) {
        body.appendChild(document.createTextNode(part));
      }
    }
    return body;
  }

  // The answer as the copy button copies it: the text, then its numbered sources.
  function copyable(data) {
    const zh = data.lang !== "en";
    const out = [data.answer.trim()];
    if (data.citations.length) {
      out.push("", data.found ? (zh ? "来源:" : "Sources:") : (zh ? "最接近的段落(不是答案):" : "Closest passages (not an answer):"));
      for (const c of data.citations) out.push(`[${c.n}] 《${c.title}》${c.section ? " " + c.section : ""}(${location(c)})`);
    }
    return out.join("\n");
  }

  function showQuestion(question, scroll = true) {
    const row = el("div", "msg user");
    row.appendChild(el("div", "bubble", question));
    conversation.appendChild(row);
    if (scroll) row.scrollIntoView({ block: "end" });
  }

  function foldIfLong(card, body) {
    const lineCount = body.textContent.split("\n").length;
    const long = lineCount > FOLD_LINES || body.textContent.length > FOLD_LINES * 60;
    if (!long) return;
    body.classList.add("folded");
    const more = el("button", "unfold secondary small", `展开全文(共 ${lineCount} 行)`);
    more.type = "button";
    more.setAttribute("aria-expanded", "false");
    more.addEventListener("click", () => {
      const folded = body.classList.toggle("folded");
      more.textContent = folded ? `展开全文(共 ${lineCount} 行)` : "收起";
      more.setAttribute("aria-expanded", String(!folded));
      if (folded) card.scrollIntoView({ block: "nearest" });
    });
    body.after(more);
  }

  function showAnswer(data, scroll = true) {
    turn += 1;
    const prefix = `t${turn}`;
    const zh = data.lang !== "en";
    const row = el("div", "msg bot");
    const card = el("article", data.found ? "answer" : "answer not-found");
    const bar = el("div", "answer-tools");
    if (!data.found) {
      card.appendChild(el("p", "badge", zh ? "未找到答案:资料中没有回答这个问题" : "Not found: the documents do not answer this"));
    }
    if (data.resolved_question && data.resolved_question !== data.question) {
      card.appendChild(el("p", "resolved", (zh ? "理解为:" : "Read as: ") + data.resolved_question));
    }
    if (data.answer_mode === "llm" || data.answer_mode === "llm_repaired") {
      card.appendChild(el("p", "mode", zh ? "由语言模型根据下列段落撰写,每句的出处和数字已核对"
        : "Written by a language model from the passages below; every citation and figure checked"));
    }
    const body = answerText(data.answer, prefix, data.citations.length);
    card.appendChild(body);
    if (data.citations.length) {
      const heading = data.found ? (zh ? "来源" : "Sources")
        : (zh ? "最接近的段落(不是答案)" : "Closest passages (not an answer)");
      card.appendChild(el("h3", "sources-title", heading));
      const items = el("ol", "citations");
      for (const c of data.citations) items.appendChild(citationItem(c, `${prefix}-c${c.n}`, data.answer));
      card.appendChild(items);
    }
    const copy = el("button", "copy secondary small", zh ? "复制" : "Copy");
    copy.type = "button";
    copy.title = zh ? "复制回答和编号的出处" : "Copy the answer with its numbered sources";
    copy.addEventListener("click", async () => {
      const ok = await copyText(copyable(data));
      copy.textContent = ok ? (zh ? "已复制" : "Copied") : (zh ? "复制失败,请手动选择" : "Copy failed");
      setTimeout(() => { copy.textContent = zh ? "复制" : "Copy"; }, 2000);
    });
    bar.appendChild(copy);
    card.prepend(bar);
    row.appendChild(card);
    conversation.appendChild(row);
    foldIfLong(card, body);
    if (scroll) row.scrollIntoView({ block: "start" });
  }

  function showError(text) {
    const row = el("div", "msg bot");
    row.appendChild(el("p", "error", text));
    conversation.appendChild(row);
    row.scrollIntoView({ block: "end" });
  }

  function busy(on) {
    send.disabled = on;
    input.disabled = on;
    status.textContent = on ? "正在检索… Searching…" : "";
    document.body.classList.toggle("busy", on);
  }

  async function ask(question) {
    question = question.trim();
    if (!question) {
      input.focus();
      return;
    }
    const wrong = [scope.since, scope.until].find((field) => !field.checkValidity());
    if (wrong) {  // a year the server would refuse: said at the field, the question kept
      scope.box.open = true;
      wrong.reportValidity();
      return;
    }
    welcomeNode.remove();
    showQuestion(question);
    input.value = "";
    grow();
    busy(true);
    const k = Number.parseInt(topK.value, 10);
    const body = { question, top_k: Number.isInteger(k) ? k : 5, history: history().slice(-MAX_HISTORY), stream: true };
    const scoped = filters();
    if (scoped) body.filters = scoped;
    try {
      const response = await fetch("/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify(body),
      });
      if (!response.ok) {
        showError(`出错了 Error: ${await problem(response)}`);
        return;
      }
      const type = response.headers.get("content-type") || "";
      const data = type.includes("text/event-stream") ? await readStream(response) : await response.json();
      if (!data) {
        showError("回答中断 The answer was cut off; please ask again.");
        return;
      }
      removeDraft();
      record(question, data);
      showAnswer(data);
    } catch (err) {
      showError(`无法连接服务器 Cannot reach the server: ${err.message}`);
    } finally {
      removeDraft();
      busy(false);
      input.focus();
    }
  }

  // The answer as it is written: server-sent events `passages`, `delta` ({text}) and `done` (the
  // whole answer, checked). The draft shows the text so far; `done` replaces it with the card.
  let draft = null;

  function removeDraft() {
    if (draft) draft.remove();
    draft = null;
  }

  function showDraft() {
    draft = el("div", "msg bot");
    const card = el("article", "answer streaming");
    card.appendChild(el("div", "answer-text"));
    draft.appendChild(card);
    conversation.appendChild(draft);
    return card.firstChild;
  }

  async function readStream(response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder("utf-8");
    let buffer = "";
    let text = null;
    let done = null;
    for (;;) {
      const { value, done: finished } = await reader.read();
      if (value) buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).trim();
        }
        if (!data) continue;
        const payload = JSON.parse(data);
        if (event === "passages") {
          text = showDraft();
          status.textContent = "正在作答… Answering…";
        } else if (event === "delta" && text) {
          text.textContent += payload.text;
          draft.scrollIntoView({ block: "end" });
        } else if (event === "done") {
          done = payload;
        }
      }
      if (finished) break;
    }
    return done;
  }

  // The question box grows with what is typed (up to five lines), so it stays small on a phone.
  function grow() {
    input.style.height = "auto";
    if (!input.value) return; // empty: the style sheet's height (a long placeholder must not grow it)
    const lineHeight = parseFloat(getComputedStyle(input).lineHeight) || 24;
    input.style.height = `${Math.min(input.scrollHeight, lineHeight * 5 + 16)}px`;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ask(input.value);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ask(input.value);
    }
  });
  input.addEventListener("input", grow);
  for (const button of document.querySelectorAll(".example")) {
    button.addEventListener("click", () => ask(button.textContent));
  }
  document.getElementById("new-chat").addEventListener("click", () => {
    current = null;
    saveAll();
    showConversation();
    status.textContent = "新对话 New conversation";
    closePanel();
    input.focus();
  });
  toggle.addEventListener("click", () => (document.body.classList.contains("history-open") ? closePanel() : openPanel()));
  document.getElementById("close-history").addEventListener("click", closePanel);
  renderList();
  showConversation();
  grow();
  input.focus();
})();

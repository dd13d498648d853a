// The chat page: asks POST /ask with the conversation so far, shows each answer with numbered
// citations that expand to their passage. Text from the server is only ever set as textContent
// (never innerHTML), so passages cannot inject markup.
"use strict";

(function () {
  const MAX_HISTORY = 20; // the library reads the last 20 earlier questions
  const conversation = document.getElementById("conversation");
  const form = document.getElementById("ask-form");
  const input = document.getElementById("question");
  const topK = document.getElementById("top-k");
  const send = document.getElementById("send");
  const status = document.getElementById("status");
  const template = document.getElementById("citation-template");
  let history = []; // earlier questions of this conversation, oldest first
  let turn = 0;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function location(c) {
    let where = `${c.source} 第${c.start_line}–${c.end_line}行`;
    if (c.page) where += `,第${c.page}页`;
    return where;
  }

  function documentLink(c) {
    const params = new URLSearchParams({ start: c.start_line, end: c.end_line });
    return `/documents/${encodeURIComponent(c.doc_id)}?${params}#cited`;
  }

  function citationItem(c, id) {
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
    item.querySelector(".passage").textContent = c.text;
    item.querySelector(".open-doc").href = documentLink(c);
    return item;
  }

  function openCitation(id) {
    const item = document.getElementById(id);
    if (!item) return;
    item.querySelector("details").open = true;
    item.scrollIntoView({ behavior: "smooth", block: "nearest" });
    item.classList.add("flash");
    setTimeout(() => item.classList.remove("flash"), 1200);
  }

  // The answer text with each [n] turned into a button that opens citation n.
  function answerText(text, prefix, count) {
    const body = el("div", "answer-text");
    const parts = text.split(/(\[\d+\])/);
    for (const part of parts) {
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

  function showQuestion(question) {
    const row = el("div", "msg user");
    row.appendChild(el("div", "bubble", question));
    conversation.appendChild(row);
    row.scrollIntoView({ block: "end" });
  }

  function showAnswer(data) {
    turn += 1;
    const prefix = `t${turn}`;
    const zh = data.lang !== "en";
    const row = el("div", "msg bot");
    const card = el("article", data.found ? "answer" : "answer not-found");
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
    card.appendChild(answerText(data.answer, prefix, data.citations.length));
    if (data.citations.length) {
      const heading = data.found ? (zh ? "来源" : "Sources")
        : (zh ? "最接近的段落(不是答案)" : "Closest passages (not an answer)");
      card.appendChild(el("h3", "sources-title", heading));
      const list = el("ol", "citations");
      for (const c of data.citations) list.appendChild(citationItem(c, `${prefix}-c${c.n}`));
      card.appendChild(list);
    }
    row.appendChild(card);
    conversation.appendChild(row);
    row.scrollIntoView({ block: "start" });
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
    const welcome = document.getElementById("welcome");
    if (welcome) welcome.remove();
    showQuestion(question);
    input.value = "";
    busy(true);
    const k = Number.parseInt(topK.value, 10);
    const body = { question, top_k: Number.isInteger(k) ? k : 5, history: history.slice(-MAX_HISTORY), stream: true };
    try {
      const response = await fetch("/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify(body),
      });
      const type = response.headers.get("content-type") || "";
      if (!response.ok || !type.includes("text/event-stream")) {
        let data = null;
        try {
          data = await response.json();
        } catch (_) {
          data = null;
        }
        if (!response.ok) {
          const detail = data && typeof data.detail === "string" ? data.detail : `HTTP ${response.status}`;
          showError(`出错了 Error: ${detail}`);
          return;
        }
        history.push(question);
        showAnswer(data);
        return;
      }
      const data = await readStream(response);
      if (!data) {
        showError("回答中断 The answer was cut off; please ask again.");
        return;
      }
      history.push(question);
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
  for (const button of document.querySelectorAll(".example")) {
    button.addEventListener("click", () => ask(button.textContent));
  }
  document.getElementById("new-chat").addEventListener("click", () => {
    history = [];
    for (const row of Array.from(conversation.querySelectorAll(".msg"))) row.remove();
    status.textContent = "新对话 New conversation";
    input.focus();
  });
  input.focus();
})();

// The drafting page: kind, school, focus areas and the school's figures (a small form of the
// outline's placeholders, or pasted JSON/YAML) → POST /draft; the outline is shown with its
// cited examples and downloads as .docx (公文 format) or .md from the same request.
"use strict";

(function () {
  const { el, location, documentLink, problem, download } = window.Common;
  const form = document.getElementById("draft-form");
  const kind = document.getElementById("kind");
  const school = document.getElementById("school");
  const focusBox = document.getElementById("focus");
  const factsBox = document.getElementById("facts");
  const factsText = document.getElementById("facts-text");
  const status = document.getElementById("draft-status");
  const outlineNode = document.getElementById("outline");
  const warnings = document.getElementById("warnings");
  const docxButton = document.getElementById("get-docx");
  const mdButton = document.getElementById("get-md");
  const values = {}; // placeholder → what the writer typed

  function request(format) {
    const facts = {};
    for (const [name, value] of Object.entries(values)) if (value.trim()) facts[name] = value.trim();
    const body = { kind: kind.value, school: school.value.trim(), format };
    const focus = Array.from(focusBox.querySelectorAll("input:checked")).map((box) => box.value);
    if (focus.length) body.focus = focus;
    if (Object.keys(facts).length) body.facts = facts;
    if (factsText.value.trim()) body.facts_text = factsText.value;
    return body;
  }

  async function post(format) {
    return fetch("/draft", { method: "POST", headers: { "Content-Type": "application/json" },
                             body: JSON.stringify(request(format)) });
  }

  // Text with each 【placeholder】 marked, as the Word file highlights it.
  function withPlaceholders(node, text) {
    for (const part of text.split(/(【[^【】\n]{1,30}】)/)) {
      if (/^【[^【】\n]{1,30}】$/.test(part)) node.appendChild(el("mark", "ph", part));
      else if (part) node.appendChild(document.createTextNode(part));
    }
    return node;
  }

  function table(spec) {
    const grid = el("table", "grid");
    const head = el("tr");
    for (const column of spec.columns) head.appendChild(el("th", null, column));
    grid.appendChild(el("thead")).appendChild(head);
    const body = grid.appendChild(el("tbody"));
    for (const row of spec.rows) {
      const tr = el("tr");
      for (const value of row) tr.appendChild(withPlaceholders(el("td"), value || ""));
      body.appendChild(tr);
    }
    return grid;
  }

  function section(s, into) {
    const tag = `h${Math.min(s.level + 2, 5)}`;
    into.appendChild(el(tag, "o-heading", s.heading));
    for (const point of s.points) into.appendChild(withPlaceholders(el("p", s.title === "落款" ? "o-sign" : "o-point"), point));
    if (s.table) into.appendChild(table(s.table));
    if (s.examples.length) {
      into.appendChild(el("p", "o-label", "参考写法(摘自其他学校的文件,供参照写法,不可照抄数字):"));
      for (const e of s.examples) {
        const quote = el("blockquote", "o-example");
        const text = e.text.replace(/\s*\n\s*/g, " ");
        quote.appendChild(el("span", null, `[${e.n}] ${text.length > 260 ? text.slice(0, 260) + "……" : text}`));
        const cite = el("a", "o-cite", `—— 《${e.title}》${e.section ? " › " + e.section : ""}(${location(e)})`);
        cite.href = documentLink(e);
        cite.target = "_blank";
        cite.rel = "noopener";
        quote.appendChild(cite);
        into.appendChild(quote);
      }
    }
    for (const child of s.sections) section(child, into);
  }

  function factsForm(outline) {
    const names = [...Object.keys(outline.filled), ...outline.placeholders.filter((n) => !(n in outline.filled))];
    factsBox.replaceChildren();
    for (const name of names) {
      const label = el("label", name in outline.filled ? "filled" : null);
      label.appendChild(el("span", null, name));
      const box = el("input");
      box.value = values[name] !== undefined ? values[name] : outline.filled[name] || "";
      box.dataset.name = name;
      box.addEventListener("input", () => { values[name] = box.value; });
      label.appendChild(box);
      factsBox.appendChild(label);
    }
  }

  function show(outline) {
    outlineNode.replaceChildren();
    outlineNode.appendChild(withPlaceholders(el("h2", "o-title"), outline.title));
    const notes = el("div", "o-notes");
    notes.appendChild(el("p", null, `文种:${outline.kind_name} · 学校:${outline.school}${outline.focus.length ? " · 重点:" + outline.focus.join("、") : ""}`));
    notes.appendChild(el("p", null, outline.placeholders.length
      ? `还有 ${outline.placeholders.length} 项待填(黄色标出),可在上面“本校数据”中填写后重新生成。`
      : "待填项已全部填写。"));
    outlineNode.appendChild(notes);
    for (const s of outline.sections) section(s, outlineNode);
    outlineNode.hidden = false;
    warnings.hidden = !outline.warnings.length;
    warnings.textContent = outline.warnings.join(" ");
    factsForm(outline);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "正在生成…";
    status.className = "small-text";
    try {
      const response = await post("json");
      if (!response.ok) {
        status.textContent = `出错了:${await problem(response)}`;
        status.className = "small-text error";
        return;
      }
      show(await response.json());
      outlineNode.scrollIntoView({ block: "start" });
      status.textContent = "提纲已生成。";
      docxButton.disabled = mdButton.disabled = false;
    } catch (err) {
      status.textContent = `无法连接服务器:${err.message}`;
      status.className = "small-text error";
    }
  });

  async function save(format, fallback) {
    status.textContent = "正在准备文件…";
    try {
      const response = await post(format);
      if (!response.ok) {
        status.textContent = `出错了:${await problem(response)}`;
        status.className = "small-text error";
        return;
      }
      const name = await download(response, fallback);
      status.textContent = `已下载 ${name}`;
      status.className = "small-text ok";
    } catch (err) {
      status.textContent = `无法连接服务器:${err.message}`;
      status.className = "small-text error";
    }
  }
  docxButton.addEventListener("click", () => save("docx", "提纲.docx"));
  mdButton.addEventListener("click", () => save("md", "提纲.md"));

  fetch("/draft/options").then((r) => r.json()).then((options) => {
    for (const k of options.kinds) {
      const option = el("option", null, `${k.name}(${k.kind})`);
      option.value = k.kind;
      kind.appendChild(option);
    }
    if (options.kinds.some((k) => k.kind === "rectification")) kind.value = "rectification";
    for (const name of options.focus) {
      const label = el("label");
      const box = el("input");
      box.type = "checkbox";
      box.value = name;
      label.append(box, document.createTextNode(` ${name}`));
      focusBox.appendChild(label);
    }
  }).catch((err) => {
    status.textContent = `无法读取文种列表:${err.message}`;
  });
})();

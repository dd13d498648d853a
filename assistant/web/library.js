// The documents page: the indexed documents and the files that could not be read (GET /documents),
// uploads (POST /documents, multipart), deletion (DELETE /documents/{id}) and the background rebuild
// that follows each change, with its progress (GET /documents/build). Writes send the server's key
// as `Authorization: Bearer …` when it has one (kept in this browser). 知识库 (collections): the list
// shows one collection or all, uploads go into the chosen one (POST /documents, field `collection`),
// and a collection is created (POST /collections) or deleted (DELETE /collections/{name}) here.
"use strict";

(function () {
  const { el, problem, store, size, KIND_NAMES } = window.Common;
  const KEY = "assistant.api-key.v1";
  const COLLECTION = "assistant.collection.v1";
  const collectionSelect = document.getElementById("collection");
  const collectionDelete = document.getElementById("collection-delete");
  const collectionForm = document.getElementById("collection-form");
  const collectionName = document.getElementById("collection-name");
  const collectionResult = document.getElementById("collection-result");
  const form = document.getElementById("upload-form");
  const filesInput = document.getElementById("files");
  const drop = document.getElementById("drop");
  const chosen = document.getElementById("chosen");
  const uploadButton = document.getElementById("upload");
  const result = document.getElementById("upload-result");
  const keyInput = document.getElementById("api-key");
  const buildPanel = document.getElementById("build-panel");
  const buildText = document.getElementById("build-text");
  const buildBar = document.getElementById("build-bar");
  let info = null; // the last GET /documents
  let picked = [];
  let polling = null;
  let lastBuilds = null;

  keyInput.value = store.get(KEY) || "";
  keyInput.addEventListener("change", () => store.set(KEY, keyInput.value.trim()));

  function headers() {
    const key = keyInput.value.trim();
    return key ? { Authorization: `Bearer ${key}` } : {};
  }

  function cell(text, className) {
    return el("td", className, text === null || text === undefined || text === "" ? "—" : String(text));
  }

  function deleteButton(id, label, parts, collection) {
    const button = el("button", "secondary small delete", "删除");
    button.type = "button";
    button.dataset.id = id;
    button.title = `从语料中删除文件 ${label}`;
    button.addEventListener("click", () => remove(id, label, parts || [], collection));
    return button;
  }

  // What a delete takes away: the whole file, and every document it holds when it holds several
  // (the 篇 of a compilation are not deleted one by one).
  function deleteQuestion(label, parts) {
    if (parts.length > 1) {
      const titles = parts.slice(0, 8).map((p) => `· ${p.title || p.id}`).join("\n");
      const more = parts.length > 8 ? `\n…等共 ${parts.length} 篇` : "";
      return `删除文件“${label}”?\n这个文件里的全部 ${parts.length} 篇文档都会一起删除:\n${titles}${more}\n文件会移到服务器的 deleted 文件夹,可以找回。`;
    }
    return `删除文件“${label}”?\n文件会移到服务器的 deleted 文件夹,可以找回。`;
  }

  // The server's refusals, said in the page's language (the detail follows for the administrator).
  function refusal(status, detail) {
    const said = {
      401: "需要正确的密钥:请在上方“密钥”一栏填入管理员给的密钥",
      403: "服务器不允许这个操作(未开启上传删除,或请求不是来自本页面)",
      404: "文件或知识库已不存在(可能已被删除),请刷新页面",
      409: "名称已被使用,或这个知识库不能删除",
      422: "名称或内容不符合要求",
      413: "文件太大或一次上传太多",
      503: "服务器暂时无法写入文件,请稍后再试或联系管理员",
      507: "服务器磁盘已满,请联系管理员清理空间",
    }[status];
    return said ? `${said}(${detail})` : detail;
  }

  function collectionLabel(name) {
    return name === "default" ? "默认" : name;
  }

  // The collection chosen in the list ("" = all), kept in this browser.
  function chosenCollection() {
    return collectionSelect.value;
  }

  function renderCollections(data) {
    const collections = data.collections || [];
    const wanted = collectionSelect.value || store.get(COLLECTION) || "";
    collectionSelect.replaceChildren(el("option", null, `全部知识库(${data.documents.length} 篇)`));
    collectionSelect.firstElementChild.value = "";
    for (const c of collections) {
      const option = el("option", null, `${collectionLabel(c.name)}(${c.documents} 篇)`);
      option.value = c.name;
      collectionSelect.appendChild(option);
    }
    collectionSelect.value = collections.some((c) => c.name === wanted) ? wanted : "";
    const chosen = chosenCollection();
    collectionDelete.hidden = !data.writable || !chosen || chosen === "default";
    collectionForm.hidden = !data.writable;
    document.getElementById("upload-target").textContent = `(放入知识库:${collectionLabel(chosen || "default")})`;
    for (const cell of document.querySelectorAll(".collection-column")) cell.hidden = collections.length < 2;
  }

  function render(data) {
    info = data;
    renderCollections(data);
    const chosen = chosenCollection();
    const several = (data.collections || []).length > 1;
    document.getElementById("upload-off").hidden = data.writable;
    form.hidden = !data.writable;
    document.getElementById("key-row").hidden = !data.key_required;
    document.getElementById("limits").textContent =
      `可上传 ${data.upload.formats.join(" ")};每个文件不超过 ${size(data.upload.max_bytes)},一次最多 ${data.upload.max_files} 个` +
      (data.upload.max_request_bytes ? `、合计不超过 ${size(data.upload.max_request_bytes)}` : "") + `。同名文件不会被覆盖。`;
    const body = document.querySelector("#documents tbody");
    body.replaceChildren();
    const files = new Set();
    const shown = data.documents.filter((d) => !chosen || (d.collection || "default") === chosen);
    for (const d of shown) {
      files.add(`${d.collection || "default"}/${d.source}`);
      const row = el("tr");
      row.dataset.id = d.id;
      const title = el("td", "doc-title");
      const link = el("a", null, d.title || d.id);
      link.href = `/documents/${encodeURIComponent(d.id)}`;
      link.target = "_blank";
      link.rel = "noopener";
      title.appendChild(link);
      row.append(title);
      if (several) row.append(cell(collectionLabel(d.collection || "default"), "wide-only"));
      row.append(cell(KIND_NAMES[d.kind] || d.kind), cell(d.organisation, "wide-only"), cell(d.date, "wide-only"),
                 cell(d.format), cell(d.chunks, "num wide-only"), cell(d.source, "wide-only"));
      const actions = el("td");
      const same = data.documents.filter((o) => o.source === d.source && o.collection === d.collection);
      if (data.writable) actions.appendChild(deleteButton(d.id, d.source, same));
      row.appendChild(actions);
      body.appendChild(row);
    }
    document.getElementById("doc-count").textContent =
      `共 ${shown.length} 篇,来自 ${files.size} 个文件${data.index_built_at ? `;索引更新于 ${data.index_built_at.replace("T", " ")}` : ""}`;
    const skipped = document.querySelector("#skipped tbody");
    skipped.replaceChildren();
    for (const s of data.skipped.filter((o) => !chosen || (o.collection || "default") === chosen)) {
      const row = el("tr");
      row.append(cell(s.file), cell(s.reason, "reason"));
      const actions = el("td");
      if (data.writable) actions.appendChild(deleteButton(s.file, s.file, [], s.collection));
      row.appendChild(actions);
      skipped.appendChild(row);
    }
    document.getElementById("skipped-panel").hidden = !data.skipped.length;
    showBuild(data.build);
  }

  async function refresh() {
    const error = document.getElementById("list-error");
    try {
      const response = await fetch("/documents");
      if (!response.ok) throw new Error(await problem(response));
      error.hidden = true;
      render(await response.json());
    } catch (err) {
      error.hidden = false;
      error.textContent = `无法读取文档列表:${err.message}`;
    }
  }

  function showBuild(build) {
    if (!build || build.state === "idle") {
      buildPanel.hidden = true;
      buildPanel.dataset.builds = build ? build.builds : 0;
      return;
    }
    buildPanel.hidden = false;
    const bar = buildBar.firstElementChild;
    buildBar.classList.toggle("indeterminate", build.state === "building" && !build.total);
    if (build.state === "building") {
      const step = build.stage_name ? `${build.stage_name}${build.total ? ` ${build.done}/${build.total}` : ""}` : "准备中";
      buildText.textContent = `正在更新索引(${step})…更新完成前,问答仍使用原来的索引。${build.queued ? "之后还会再更新一次。" : ""}`;
      bar.style.width = build.total ? `${Math.round((100 * build.done) / build.total)}%` : "";
      buildText.className = "";
    } else if (build.state === "done") {
      const r = build.result || {};
      buildText.textContent = `索引已更新,问答已改用新索引:${r.documents} 篇文档,${r.chunks} 个段落(本次读取 ${r.files_processed} 个文件,用时 ${build.seconds} 秒)。`;
      buildText.className = "ok";
      bar.style.width = "100%";
    } else if (build.state === "failed") {
      buildText.textContent = `索引更新失败:${build.error}`;
      buildText.className = "error";
      bar.style.width = "0";
    }
    buildPanel.dataset.state = build.state;
    buildPanel.dataset.builds = build.builds;
  }

  async function poll() {
    if (polling) return;
    polling = setInterval(async () => {
      try {
        const response = await fetch("/documents/build");
        const build = await response.json();
        showBuild(build);
        if (build.state !== "building") {
          clearInterval(polling);
          polling = null;
          if (build.builds !== lastBuilds) {
            lastBuilds = build.builds;
            await refresh();
          }
        }
      } catch (_) {
        /* the next tick tries again */
      }
    }, 700);
  }

  function choose(list) {
    picked = Array.from(list);
    chosen.replaceChildren();
    const limit = info ? info.upload.max_bytes : Infinity;
    const formats = info ? info.upload.formats : [];
    for (const file of picked) {
      const suffix = (/\.[^.]+$/.exec(file.name) || [""])[0].toLowerCase();
      const problems = [];
      if (formats.length && !formats.includes(suffix)) problems.push(`不支持 ${suffix || "无扩展名"} 文件`);
      if (file.size > limit) problems.push(`超过 ${size(limit)}`);
      const item = el("li", problems.length ? "reason" : null, `${file.name}(${size(file.size)})${problems.length ? ":" + problems.join(",") : ""}`);
      chosen.appendChild(item);
    }
    uploadButton.disabled = !picked.length;
  }

  filesInput.addEventListener("change", () => choose(filesInput.files));
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (event) => {
      event.preventDefault();
      drop.classList.add("over");
    });
  }
  for (const name of ["dragleave", "drop"]) drop.addEventListener(name, () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    choose(event.dataTransfer.files);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!picked.length) return;
    const body = new FormData();
    for (const file of picked) body.append("files", file, file.name);
    body.append("collection", chosenCollection() || "default");
    uploadButton.disabled = true;
    result.textContent = "正在上传…";
    result.className = "small-text";
    try {
      const response = await fetch("/documents", { method: "POST", body, headers: headers() });
      if (!response.ok) {
        result.textContent = `上传失败:${refusal(response.status, await problem(response))}`;
        result.className = "small-text error";
        return;
      }
      const data = await response.json();
      const parts = data.saved.map((s) => (s.sent_as ? `${s.sent_as} → 保存为 ${s.file}` : `${s.file} 已保存`));
      for (const r of data.refused) parts.push(`${r.file} 未保存:${r.reason}`);
      result.textContent = parts.join(";");
      result.className = data.refused.length ? "small-text reason" : "small-text ok";
      picked = [];
      filesInput.value = "";
      chosen.replaceChildren();
      showBuild(data.build);
      poll();
    } catch (err) {
      result.textContent = `无法连接服务器:${err.message}`;
      result.className = "small-text error";
    } finally {
      uploadButton.disabled = !picked.length;
    }
  });

  async function remove(id, label, parts, collection) {
    if (!window.confirm(deleteQuestion(label, parts))) return;
    const query = collection && !parts.length ? `?collection=${encodeURIComponent(collection)}` : "";
    const response = await fetch(`/documents/${encodeURIComponent(id)}${query}`, { method: "DELETE", headers: headers() });
    if (!response.ok) {
      result.textContent = `删除失败:${refusal(response.status, await problem(response))}`;
      result.className = "small-text error";
      return;
    }
    const data = await response.json();
    result.textContent = `已删除 ${data.deleted},正在更新索引…`;
    result.className = "small-text ok";
    showBuild(data.build);
    poll();
  }

  collectionSelect.addEventListener("change", () => {
    store.set(COLLECTION, collectionSelect.value);
    if (info) render(info);
  });

  function said(text, className) {
    collectionResult.textContent = text;
    collectionResult.className = `small-text ${className}`;
  }

  collectionForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = collectionName.value.trim();
    if (!name) return;
    try {
      const response = await fetch("/collections", {
        method: "POST", body: JSON.stringify({ name }),
        headers: Object.assign({ "Content-Type": "application/json" }, headers()),
      });
      if (!response.ok) {
        said(`新建失败:${refusal(response.status, await problem(response))}`, "error");
        return;
      }
      said(`已新建知识库“${name}”;选中它后上传的文件会放进这个知识库。`, "ok");
      collectionName.value = "";
      store.set(COLLECTION, name);
      collectionSelect.value = "";
      await refresh();
    } catch (err) {
      said(`无法连接服务器:${err.message}`, "error");
    }
  });

  collectionDelete.addEventListener("click", async () => {
    const name = chosenCollection();
    if (!name || name === "default") return;
    const count = info ? info.documents.filter((d) => d.collection === name).length : 0;
    if (!window.confirm(`删除知识库“${name}”?\n其中 ${count} 篇文档将从问答中移除。由本页面建立的知识库,文件会移到服务器的 deleted 文件夹,可以找回;从服务器上已有文件夹建立的,文件夹保持不动。`)) return;
    const response = await fetch(`/collections/${encodeURIComponent(name)}`, { method: "DELETE", headers: headers() });
    if (!response.ok) {
      said(`删除失败:${refusal(response.status, await problem(response))}`, "error");
      return;
    }
    const data = await response.json();
    said(`已删除知识库“${name}”,正在更新索引…`, "ok");
    store.set(COLLECTION, "");
    collectionSelect.value = "";
    showBuild(data.build);
    poll();
    await refresh();
  });

  refresh().then(() => {
    if (info) lastBuilds = info.build.builds;
    if (info && info.build.state === "building") poll();
  });
})();

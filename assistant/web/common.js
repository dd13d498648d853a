// Helpers shared by the chat, documents and drafting pages. Text from the server is only ever set
// as textContent (never innerHTML), so documents cannot inject markup.
"use strict";

window.Common = (function () {
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function lines(c) {
    return c.end_line && c.end_line !== c.start_line ? `${c.start_line}–${c.end_line}` : `${c.start_line}`;
  }

  // "plan.txt 第8–9行,第2页" — where a cited passage is.
  function location(c) {
    let where = `${c.source} 第${lines(c)}行`;
    if (c.collection && c.collection !== "default") where = `〔${c.collection}〕${where}`;
    if (c.page) where += c.page_end && c.page_end !== c.page ? `,第${c.page}–${c.page_end}页` : `,第${c.page}页`;
    return where;
  }

  function documentLink(c) {
    const params = new URLSearchParams({ start: c.start_line, end: c.end_line });
    return `/documents/${encodeURIComponent(c.doc_id)}?${params}#cited`;
  }

  // The detail of an error response (the server always sends one), or the HTTP status.
  async function problem(response) {
    try {
      const data = await response.json();
      if (data && typeof data.detail === "string") return data.detail;
    } catch (_) {
      /* not JSON */
    }
    return `HTTP ${response.status}`;
  }

  // Copy text: the Clipboard API where the page may use it (localhost, https), else a hidden
  // textarea (a page served over plain http on the office network).
  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch (_) {
        /* fall through */
      }
    }
    const area = el("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (_) {
      ok = false;
    }
    area.remove();
    return ok;
  }

  // Local storage that degrades to memory (private windows, storage turned off).
  const memory = {};
  const store = {
    get(key) {
      try {
        return window.localStorage.getItem(key);
      } catch (_) {
        return key in memory ? memory[key] : null;
      }
    },
    set(key, value) {
      try {
        window.localStorage.setItem(key, value);
        return true;
      } catch (err) {
        memory[key] = value;
        return err && err.name === "QuotaExceededError" ? "full" : false;
      }
    },
  };

  function filenameOf(response, fallback) {
    const header = response.headers.get("Content-Disposition") || "";
    const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (star) return decodeURIComponent(star[1]);
    const plain = /filename="([^"]+)"/i.exec(header);
    return plain ? plain[1] : fallback;
  }

  // Save a response body as a file the browser downloads.
  async function download(response, fallback) {
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const link = el("a");
    link.href = url;
    link.download = filenameOf(response, fallback);
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    return link.download;
  }

  function size(bytes) {
    if (bytes >= 1048576) return `${(bytes / 1048576).toFixed(1)} MB`;
    return `${Math.max(1, Math.round(bytes / 1024))} kB`;
  }

  const KIND_NAMES = {
    summary: "工作总结", plan: "工作方案", "self-inspection": "自查报告", rectification: "整改方案",
    "inspection-prep": "迎检工作方案", standard: "标准/规定", law: "法律法规", regulation: "法规",
    notice: "通知", opinion: "意见", report: "报告", news: "新闻", other: "其他",
  };

  return { el, location, documentLink, problem, copyText, store, download, size, KIND_NAMES };
})();

"""The review page's inline style and script (review_page.py puts them in the page; nothing is fetched).

Fonts are the system's: the stack names common CJK faces (Noto CJK as Debian's fonts-noto-cjk installs it,
PingFang, Microsoft YaHei) so Chinese text renders where they are installed; no web font is loaded.
"""

from __future__ import annotations

PAGE_CSS = """
:root { --ok: #1b7f3b; --bad: #b3261e; --warn: #a05a00; --grey: #666; --claim: #fff3b0; }
* { box-sizing: border-box; }
body { margin: 0; color: #1d1d1f; background: #fafafa; line-height: 1.65;
  font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
    "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; }
.status { padding: .8rem 1.5rem; border-bottom: 3px solid var(--grey); background: #eee; }
.status.pass { border-color: var(--ok); background: #e7f5ec; }
.status.needs_review { border-color: var(--bad); background: #fdeceb; }
.status .verdict { font-weight: 700; font-size: 1.1rem; margin: 0 0 .3rem; }
.status ul.unmet { margin: .2rem 0; padding-left: 1.2rem; }
.status .links a { margin: 0 .15rem; }
.status .legend { margin: .3rem 0 0; font-size: .85rem; color: #444; }
#process-note { margin: .8rem 1.5rem 0; padding: .5rem 1rem; background: #eef3fb;
  border-left: 4px solid #5b7db1; }
#process-note h2 { font-size: .95rem; margin: 0; }
#process-note p { margin: .2rem 0; }
.layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1.5rem;
  padding: 1rem 1.5rem; }
@media (max-width: 900px) { .layout { grid-template-columns: 1fr; } }
main { background: #fff; padding: .5rem 1.5rem 1.5rem; border: 1px solid #ddd; border-radius: 6px; }
main table { border-collapse: collapse; margin: .5rem 0; }
main th, main td { border: 1px solid #ccc; padding: .25rem .5rem; vertical-align: top; }
main blockquote { margin: .5rem 0; padding: .2rem .8rem; border-left: 4px solid #ccc; color: #444; }
button.cite { font: inherit; font-size: .8em; padding: 0 .25em; margin: 0 .1em; cursor: pointer;
  border: 1px solid currentColor; border-radius: 4px; background: #fff; color: var(--grey); }
button.cite.supported { color: var(--ok); }
button.cite.unsupported { color: var(--bad); background: #fdeceb; font-weight: 700; }
button.cite.unsupported::before { content: "\\2717 "; }
button.cite.unverified { color: var(--warn); background: #fff4e0; }
button.cite.unverified::before { content: "? "; }
button.cite.unresolved { color: var(--grey); background: #eee; text-decoration: line-through; }
.sent.claim { background: var(--claim); outline: 1px dashed var(--warn); }
.sent.bad { text-decoration: underline wavy var(--bad); text-underline-offset: 3px; }
:target { outline: 2px solid #5b7db1; }
#sources { font-size: .9rem; }
#sources .source { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .4rem .8rem;
  margin-bottom: .6rem; }
#sources h3 { font-size: .9rem; margin: .2rem 0; }
#sources h3 code { font-weight: 400; color: #666; font-size: .8rem; margin-left: .4rem; }
#sources dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 .6rem; margin: .2rem 0; }
#sources dt { color: #555; }
#sources dd { margin: 0; overflow-wrap: anywhere; }
.passage { white-space: pre-wrap; margin: .3rem 0; padding: .3rem .6rem; background: #f4f4f4;
  border-left: 3px solid #999; max-height: 18rem; overflow: auto; }
#popover { position: absolute; z-index: 10; max-width: min(34rem, 92vw); background: #fff;
  border: 1px solid #888; border-radius: 6px; box-shadow: 0 4px 16px rgba(0,0,0,.2); padding: .6rem .8rem;
  font-size: .88rem; }
#popover .outcome { font-weight: 700; }
#popover .outcome.supported { color: var(--ok); }
#popover .outcome.unsupported { color: var(--bad); }
#popover .outcome.unverified { color: var(--warn); }
#popover .close { float: right; }
#popover .meta { color: #444; margin: .2rem 0; }
"""

# The popover: shown on hover, kept on click (a second click or Escape closes it). Built with textContent
# only, from the JSON in #review-data.
PAGE_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("review-data").textContent);
  var L = data.labels, pop = document.getElementById("popover"), pinned = null;
  function add(parent, tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) { el.className = cls; }
    if (text !== undefined) { el.textContent = text; }
    parent.appendChild(el);
    return el;
  }
  function hide() { pinned = null; pop.hidden = true; }
  function fill(c) {
    pop.replaceChildren();
    var close = add(pop, "button", "close", "\\u00d7");
    close.type = "button"; close.title = L.close; close.addEventListener("click", hide);
    add(pop, "p", "outcome " + c.outcome, L.outcome + ": " + (L[c.outcome] || c.outcome));
    if (c.method || c.reason) {
      add(pop, "p", "meta", [c.method && L.method + " " + c.method, c.reason && L.reason + " " + c.reason]
        .filter(Boolean).join(" · "));
    }
    if (c.problem) { add(pop, "p", "meta problem", L.problem + ": " + c.problem); }
    if (c.sentence) { add(pop, "p", "meta sentence", L.sentence + ": " + c.sentence); }
    var s = data.sources[c.id];
    if (!s) { return; }
    add(pop, "p", "meta where", [s.file, s.where, c.id].filter(Boolean).join(" · "));
    if (s.title) { add(pop, "p", "meta title", L.title + ": " + s.title); }
    if (s.url) { var u = add(pop, "a", "url", s.url); u.href = s.url; u.rel = "noreferrer"; }
    if (s.href) { add(pop, "span", "", " "); var f = add(pop, "a", "file", L.open_file); f.href = s.href; }
    add(pop, "blockquote", "passage", s.text);
  }
  function show(el) {
    fill(data.citations[Number(el.dataset.cite)]);
    pop.hidden = false;
    var r = el.getBoundingClientRect();
    var left = Math.min(window.scrollX + r.left, window.scrollX + document.documentElement.clientWidth
      - pop.offsetWidth - 8);
    pop.style.left = Math.max(window.scrollX + 4, left) + "px";
    pop.style.top = (window.scrollY + r.bottom + 6) + "px";
  }
  document.querySelectorAll("button.cite").forEach(function (el) {
    el.addEventListener("mouseenter", function () { if (!pinned) { show(el); } });
    el.addEventListener("mouseleave", function () { if (!pinned) { pop.hidden = true; } });
    el.addEventListener("focus", function () { if (!pinned) { show(el); } });
    el.addEventListener("click", function (event) {
      event.stopPropagation();
      if (pinned === el) { hide(); return; }
      pinned = el; show(el);
      pop.scrollIntoView({block: "nearest"});
    });
  });
  pop.addEventListener("click", function (event) { event.stopPropagation(); });
  document.addEventListener("click", function () { if (pinned) { hide(); } });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") { hide(); } });
})();
"""

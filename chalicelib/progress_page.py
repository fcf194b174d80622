"""The page the receipt's QR code opens (``GET /progress?case=<id>``): a small static form in Chinese.

It asks for the last six characters of the ID number and POSTs ``{case_id, id_suffix}`` as JSON to
the same path, so the ID fragment never appears in a URL (URLs end up in logs and browser history).
The page is the same bytes for everyone: the case number is read from the address by the script
and written with ``value``/``textContent`` only, so nothing a visitor sends is reflected into HTML.
The only script is inline and allowed by its hash in the Content-Security-Policy.
"""
from __future__ import annotations

import base64
import hashlib

SCRIPT = """
const form = document.getElementById('f');
const out = document.getElementById('out');
const params = new URLSearchParams(location.search);
document.getElementById('case').value = params.get('case') || '';
const large = document.getElementById('large');
const setLarge = (on) => {
  document.documentElement.classList.toggle('large-text', on);
  large.setAttribute('aria-pressed', on ? 'true' : 'false');
};
try { setLarge(localStorage.getItem('progress.largeText') === '1'); } catch (error) { setLarge(false); }
large.addEventListener('click', () => {
  const on = large.getAttribute('aria-pressed') !== 'true';
  try { localStorage.setItem('progress.largeText', on ? '1' : '0'); } catch (error) { /* private mode */ }
  setLarge(on);
});
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  out.replaceChildren();
  const body = JSON.stringify({case_id: document.getElementById('case').value.trim(),
                               id_suffix: document.getElementById('suffix').value.trim()});
  let answer;
  try {
    const response = await fetch(location.pathname, {method: 'POST', body: body,
                                  headers: {'Content-Type': 'application/json'}});
    answer = await response.json();
  } catch (error) {
    answer = {error: {message: '网络错误，请稍后再试'}};
  }
  const add = (tag, text, attrs) => {
    const node = document.createElement(tag);
    node.textContent = text;
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    out.append(node);
    return node;
  };
  const heading = add('h2', answer.error ? '未查到' : '查询结果', {id: 'result-title', tabindex: '-1'});
  if (answer.error) {
    add('p', answer.error.message, {class: 'error'});
  } else {
    add('p', '受理编号：' + answer.case_id);
    add('p', '当前状态：' + answer.status.label, {class: 'state'});
    add('h3', '办理进度');
    const list = document.createElement('ol');
    for (const m of answer.milestones) {
      const item = document.createElement('li');
      const day = document.createElement('time');
      day.setAttribute('datetime', m.on);
      const [y, mo, d] = m.on.split('-').map(Number);
      day.textContent = y + '年' + mo + '月' + d + '日';
      item.append(day, ' ' + m.label + (m.outcome ? '（' + m.outcome.label + '）' : ''));
      list.append(item);
    }
    out.append(list);
  }
  heading.focus();
});
"""

STYLE = """
:root { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
  font-size: 18px; line-height: 1.6; color: #1a1a1a; background: #fff; }
:root.large-text { font-size: 24px; }
body { margin: 0 auto; max-width: 40em; padding: 12px 16px 40px; }
h1 { font-size: 1.5rem; margin: 8px 0 12px; }
h2 { font-size: 1.25rem; }
label { display: block; font-weight: 600; }
input { font: inherit; width: 100%; max-width: 20em; padding: 6px 8px; border: 1px solid #5a5f66; border-radius: 3px;
  box-sizing: border-box; }
button { font: inherit; min-height: 44px; padding: 6px 18px; border-radius: 3px; cursor: pointer; }
button.primary { background: #0b4f8a; color: #fff; border: 1px solid #0b4f8a; }
button.toggle { background: #fff; color: #0b4f8a; border: 1px solid #0b4f8a; }
button[aria-pressed="true"] { font-weight: 700; outline: 3px solid #0b4f8a; }
:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; box-shadow: 0 0 0 5px #1a1a1a; }
.hint { color: #4a4a4a; display: block; }
.error { color: #a4000f; font-weight: 600; }
.state { font-weight: 700; }
.bar { display: flex; justify-content: flex-end; }
"""

HTML = f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>残疾人两项补贴 跨省通办 办理进度查询</title>
<style>{STYLE}</style>
</head>
<body>
<header class="bar"><button type="button" id="large" class="toggle" aria-pressed="false">大字模式（适老化）</button></header>
<main>
<h1>办理进度查询</h1>
<form id="f" autocomplete="off">
<p><label for="case">受理编号</label> <input id="case" name="case" maxlength="64" required></p>
<p><label for="suffix">申请人身份证号后六位</label> <input id="suffix" name="suffix" maxlength="6" minlength="6" required
 inputmode="text" pattern="[0-9]{{5}}[0-9Xx]" aria-describedby="suffix-hint">
<span class="hint" id="suffix-hint">最后一位可能是 X</span></p>
<p><button type="submit" class="primary">查询</button></p>
</form>
<div id="out" aria-live="polite"></div>
<p class="hint">只显示办理状态和各环节日期。同一编号当日多次输错后，当日暂停查询。</p>
</main>
<script>{SCRIPT}</script>
</body>
</html>
"""

_SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode()
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode()
HEADERS: dict[str, str] = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": (f"default-src 'none'; script-src 'sha256-{_SCRIPT_HASH}'; "
                                f"style-src 'sha256-{_STYLE_HASH}'; connect-src 'self'; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the address carries the case number
    "X-Content-Type-Options": "nosniff",
}

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
  const line = (text) => { const p = document.createElement('p'); p.textContent = text; out.append(p); };
  if (answer.error) { line(answer.error.message); return; }
  line('受理编号：' + answer.case_id);
  line('当前状态：' + answer.status.label);
  const list = document.createElement('ol');
  for (const m of answer.milestones) {
    const item = document.createElement('li');
    item.textContent = m.on + ' ' + m.label + (m.outcome ? '（' + m.outcome.label + '）' : '');
    list.append(item);
  }
  out.append(list);
});
"""

HTML = f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>残疾人两项补贴 跨省通办 办理进度查询</title>
</head>
<body>
<h1>办理进度查询</h1>
<form id="f" autocomplete="off">
<p><label>受理编号 <input id="case" name="case" maxlength="64" required></label></p>
<p><label>申请人身份证号后六位 <input id="suffix" name="suffix" maxlength="6" minlength="6" required
 inputmode="text" pattern="[0-9]{{5}}[0-9Xx]"></label></p>
<p><button type="submit">查询</button></p>
</form>
<div id="out" aria-live="polite"></div>
<p>只显示办理状态和各环节日期。同一编号当日多次输错后，当日暂停查询。</p>
<script>{SCRIPT}</script>
</body>
</html>
"""

_SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode()
HEADERS: dict[str, str] = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": (f"default-src 'none'; script-src 'sha256-{_SCRIPT_HASH}'; connect-src 'self'; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the address carries the case number
    "X-Content-Type-Options": "nosniff",
}

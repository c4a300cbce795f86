// The supervisor page: log in, take a snapshot, then apply the numbered
// changes of /api/stream; after a dropped stream resume from the last number
// seen. All text is set with textContent (never parsed as HTML).
'use strict';

const ALERT_NAMES = {
  duplicate_scan: '重复扫码 code scanned again', already_photographed: '已拍过 already photographed',
  shooting_no_mismatch: '拍摄号不符 shooting number mismatch', scan_burst: '连续扫码 scan burst',
  face_duplicate: '人脸重复 same face twice', face_match: '人脸不符 face does not match',
  scan_refused: '扫码被拒 scan refused', booth_offline: '机位离线 booth offline', queue_stuck: '排队过久 queue stuck',
};
const VERDICTS = { pass: '合格 pass', fail: '不合格 fail', pending: '待检 pending' };

const state = { run: '', seq: 0, user: null, csrf: '', booths: {}, alerts: {}, colleges: {}, shards: {} };
let source = null;
let reconnectTimer = null;
let paused = false;
let renderQueued = false;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}
const $ = (id) => document.getElementById(id);
const clock = (ms) => (ms ? new Date(ms).toLocaleTimeString('zh-CN', { hour12: false }) : '—');

async function api(method, path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = state.csrf;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin' });
  let json = null;
  try { json = await response.json(); } catch (e) { json = null; }
  if (response.status === 401 && path !== '/api/login') showLogin('会话已过期，请重新登录 Session expired: log in again');
  return { status: response.status, json };
}

function showLogin(message) {
  stopStream();
  state.user = null;
  $('view').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('whoami').textContent = '';
  $('login-error').textContent = message || '';
}

async function start() {
  const me = await api('GET', '/api/me');
  if (me.status !== 200) { showLogin(); return; }
  enter(me.json);
}

function enter(me) {
  state.user = me.user;
  state.csrf = me.csrf;
  $('login').hidden = true;
  $('view').hidden = false;
  $('logout').hidden = false;
  const u = me.user;
  $('whoami').textContent = `${u.name} · ${u.role === 'office' ? '教务处 office' : '学院 ' + u.colleges.join('、')}`;
  state.run = '';
  state.seq = 0;
  openStream();
}

function applySnapshot(s) {
  state.run = s.run;
  state.seq = s.seq;
  state.booths = {}; state.alerts = {}; state.colleges = {}; state.shards = {};
  for (const b of s.booths) state.booths[b.key] = b;
  for (const a of s.alerts) state.alerts[a.key] = a;
  for (const c of s.colleges) state.colleges[c.key] = c;
  for (const sh of s.shards) state.shards[sh.key] = sh;
}

function applyChange(c) {
  if (c.seq <= state.seq) return;  // already applied (a resumed stream)
  state.seq = c.seq;
  const maps = { booth: state.booths, alert: state.alerts, college: state.colleges, shard: state.shards };
  const map = maps[c.kind];
  if (!map) return;
  if (c.removed) delete map[c.value.key]; else map[c.value.key] = c.value;
}

function openStream() {
  stopStream();
  const url = state.run ? `/api/stream?after=${state.seq}&run=${encodeURIComponent(state.run)}` : '/api/stream';
  source = new EventSource(url);
  source.addEventListener('open', () => setLink('live'));
  source.addEventListener('snapshot', (e) => { applySnapshot(JSON.parse(e.data)); queueRender(); });
  source.addEventListener('change', (e) => { applyChange(JSON.parse(e.data)); queueRender(); });
  source.addEventListener('error', () => {
    // Resume from our own last number (not EventSource's retry): nothing lost, nothing twice.
    stopStream();
    setLink('lost');
    reconnectTimer = setTimeout(async () => {
      const me = await api('GET', '/api/me');
      if (me.status === 200 && !paused) openStream();
    }, 1000);
  });
}

function stopStream() {
  if (source) { source.close(); source = null; }
  if (reconnectTimer) { clearTimeout(reconnectTimer); reconnectTimer = null; }
}

function setLink(link) {
  const node = $('link');
  node.className = `link ${link}`;
  node.textContent = link === 'live' ? '实时 live' : link === 'lost' ? '重连中 reconnecting' : '连接中 connecting';
}

function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => { renderQueued = false; render(); });
}

function render() {
  $('seq').textContent = state.seq;
  $('run').textContent = state.run;
  const shards = Object.values(state.shards);
  $('shards').replaceChildren(...shards.filter((s) => s.link !== 'live').map((s) =>
    el('span', { class: 'link lost' }, `协调器 coordinator ${s.index + 1} 未连接 unreachable`)));
  renderAlerts();
  renderBooths();
  renderColleges();
}

// Notes being typed, by alert key: the list is redrawn whenever the floor
// changes, and a supervisor's half-typed note must survive that.
const noteDrafts = {};

function renderAlerts() {
  const focused = document.activeElement && document.activeElement.classList.contains('ack-note')
    ? document.activeElement.closest('li').dataset.alertKey : null;
  const alerts = Object.values(state.alerts).sort((a, b) =>
    (a.acknowledged - b.acknowledged) || (b.raised_at_ms - a.raised_at_ms));
  const open = alerts.filter((a) => !a.acknowledged).length;
  $('alert-count').textContent = open ? String(open) : '';
  $('alerts').replaceChildren(...alerts.map((a) => {
    const note = el('input', { placeholder: '备注 note', 'aria-label': 'note', class: 'ack-note' });
    note.value = noteDrafts[a.key] || '';
    note.addEventListener('input', () => { noteDrafts[a.key] = note.value; });
    const result = el('span', { class: 'error' });
    const ack = el('button', { type: 'button', class: 'ack', onclick: async () => {
      ack.disabled = true;
      const r = await api('POST', `/api/alerts/${encodeURIComponent(a.key)}/ack`, { note: noteDrafts[a.key] || note.value });
      if (r.status !== 200) { result.textContent = (r.json && r.json.error) || `HTTP ${r.status}`; ack.disabled = false; }
      else delete noteDrafts[a.key];
    } }, '确认 Acknowledge');
    return el('li', { class: a.acknowledged ? 'acked' : 'open', 'data-alert-key': a.key, 'data-kind': a.kind },
      el('span', {}, el('b', {}, ALERT_NAMES[a.kind] || a.kind), ` · ${a.booth || ''} `,
        a.shooting_nos.length ? `#${a.shooting_nos.join(', #')} ` : '', a.college ? `· ${a.college} ` : '',
        el('span', { class: 'muted' }, `${clock(a.raised_at_ms)} ${a.detail}`)),
      a.acknowledged
        ? el('span', { class: 'acked-by' }, `已确认 acknowledged by ${a.acknowledged_by} ${clock(a.acknowledged_at_ms)} ${a.note}`)
        : el('span', {}, note, ack, result));
  }));
  if (focused) {
    const input = document.querySelector(`li[data-alert-key="${CSS.escape(focused)}"] .ack-note`);
    if (input) { input.focus(); input.setSelectionRange(input.value.length, input.value.length); }
  }
}

function chart(hours) {
  const max = Math.max(1, ...hours.map((h) => h.photos));
  const w = 100 / Math.max(hours.length, 1);
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'chart');
  svg.setAttribute('viewBox', '0 0 100 40');
  svg.setAttribute('preserveAspectRatio', 'none');
  hours.forEach((h, i) => {
    const r = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    const height = (h.photos / max) * 38;
    r.setAttribute('x', i * w + 1); r.setAttribute('width', Math.max(w - 2, 1));
    r.setAttribute('y', 40 - height); r.setAttribute('height', height);
    const t = document.createElementNS('http://www.w3.org/2000/svg', 'title');
    t.textContent = `${clock(h.hour_start_ms)}: ${h.photos}`;
    r.append(t);
    svg.append(r);
  });
  return svg;
}

function minutes(ms) { return `${Math.max(0, Math.round(ms / 60000))} 分钟 min`; }

function renderBooths() {
  const booths = Object.values(state.booths).sort((a, b) => a.id.localeCompare(b.id) || a.shard - b.shard);
  $('booths').replaceChildren(...booths.map((b) => {
    const queue = el('ol', { class: 'queue' }, b.queue.map((q, i) =>
      el('li', { class: i === 0 && q.shooting_no === b.current_shooting_no ? 'head' : '', 'data-shooting-no': q.shooting_no },
        `#${q.shooting_no} ${q.masked_name}`, q.name ? ` (${q.name})` : '', ` · ${q.college}`,
        q.state === 'to_sign' ? ' · 待签名 to sign' : '')));
    const recent = el('ul', { class: 'recent' }, b.recent.map((p) => el('li', { 'data-photo-no': p.shooting_no },
      p.photo ? el('img', { class: 'thumb', src: `/api/photos/${p.photo}`, alt: `#${p.shooting_no}`, loading: 'lazy',
        onclick: () => { $('photo-img').src = `/api/photos/${p.photo}`; $('photo-dialog').showModal(); } }) : null,
      ` #${p.shooting_no} ${p.masked_name} `, el('span', { class: p.verdict }, VERDICTS[p.verdict] || p.verdict),
      p.problems.length ? el('div', { class: 'problems' }, p.problems.map((c) => `${c.reason_zh || c.id}`).join('；')) : null)));
    const waitedMs = b.head_waiting_since_ms && b.now_ms ? b.now_ms - b.head_waiting_since_ms : 0;
    return el('div', { class: `card booth ${b.online ? 'online' : 'offline'}`, 'data-booth-key': b.key, 'data-booth': b.id },
      el('h3', {}, el('span', {}, `机位 Booth ${b.id}`),
        el('span', { class: b.online ? 'pass' : 'fail' }, b.online ? '在线 online' : '离线 offline')),
      el('div', { class: 'muted' }, b.colleges.join('、')),
      el('dl', { class: 'kv' },
        el('dt', {}, '当前 Now'), el('dd', { class: 'now current-no' }, b.current_shooting_no ? `#${b.current_shooting_no}` : '—'),
        el('dt', {}, '等待 Waiting'), el('dd', { class: 'waiting' }, String(b.waiting)),
        el('dt', {}, '队首已等 Head waited'), el('dd', {}, waitedMs ? minutes(waitedMs) : '—'),
        el('dt', {}, '速度 Pace'), el('dd', {}, `${b.photos_per_hour.toFixed(0)} 张/时 photos/h`),
        el('dt', {}, '预计清空 Empty in'), el('dd', {}, b.empty_in_min === null ? '—' : minutes(b.empty_in_min * 60000)),
        el('dt', {}, '待上传 Outbox'), el('dd', { class: b.outbox_depth > 0 ? 'fail' : '' }, String(b.outbox_depth)),
        el('dt', {}, '拒扫 Refused'), el('dd', {}, String(b.refused_scans)),
        el('dt', {}, '心跳 Heartbeat'), el('dd', {}, clock(b.last_heard_ms))),
      chart(b.photos_by_hour),
      el('h4', {}, '排队 Queue'), queue,
      el('h4', {}, '最近照片 Last photos'), recent);
  }));
}

function renderColleges() {
  const colleges = Object.values(state.colleges).sort((a, b) => a.college.localeCompare(b.college));
  $('colleges').replaceChildren(...colleges.map((c) => {
    const reason = el('input', { class: 'override', placeholder: '仍有人等待时必填原因 override reason if students wait' });
    const result = el('div', { class: 'error close-result' });
    const close = el('button', { type: 'button', class: 'close', onclick: async () => {
      close.disabled = true;
      const r = await api('POST', `/api/colleges/${encodeURIComponent(c.college)}/close`, { override: reason.value });
      result.textContent = r.status === 200 ? '' : (r.json && r.json.error) || `HTTP ${r.status}`;
      close.disabled = false;
    } }, '核准离场 Sign off and close');
    const row = (zh, v, cls) => [el('dt', {}, zh), el('dd', { class: cls }, String(v))];
    return el('div', { class: 'card college', 'data-college': c.college },
      el('h3', {}, el('span', {}, c.college), c.closed ? el('span', { class: 'closed' }, '已核准 closed') : null),
      el('dl', { class: 'kv' },
        row('名单 Roster', c.roster), row('已缴费 Paid', c.paid), row('已扫码 Scanned', c.scanned),
        row('已拍 Photographed', c.photographed), row('合格 Passed', c.passed),
        row('待重拍 Retake', c.failed_pending_retake), row('待检 Pending', c.verdict_pending),
        row('缺席 Absent', c.absent), row('等待 Waiting', c.waiting, 'college-waiting'), row('未到 Not scanned', c.not_scanned)),
      c.retake_list.length ? el('p', {}, '补拍名单 Retake list: ', c.retake_list.join('、')) : null,
      c.waiting_students.length ? el('p', { class: 'muted' }, '仍在等待 Still waiting: ', c.waiting_students.join('、')) : null,
      el('div', {}, reason, close), result);
  }));
}

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const r = await api('POST', '/api/login', { user: $('login-user').value, password: $('login-password').value });
  if (r.status === 200) { $('login-password').value = ''; enter(r.json); return; }
  $('login-error').textContent = (r.json && r.json.error) || `HTTP ${r.status}`;
});
$('logout').addEventListener('click', async () => { await api('POST', '/api/logout'); showLogin(); });
$('big').addEventListener('click', () => document.body.classList.toggle('big'));
if (new URLSearchParams(location.search).has('projector')) document.body.classList.add('big');

// For tests and the curious: the state, and a way to drop and resume the stream.
window.gradcap = {
  state,
  dropStream() { paused = true; stopStream(); setLink('lost'); },
  resumeStream() { paused = false; openStream(); },
};
start();

// Footfall member chat page: what a member sees in the brand's mini-program, served by HQ at
// /m/?store=<storeId>. Plain browser JavaScript (no build step); the CSP allows only this file.
// Talks to HQ's member API: POST /v1/member/session, GET /v1/member/messages, POST /v1/member/images,
// and the member WebSocket /v1/member/socket for live messages, receipts, typing and presence.
// The groups tab (5/8, groups.js) rides on the same socket: its `group.*` frames are handed over.
/* global window, document, sessionStorage, localStorage, FootfallOutbox, FootfallHolds, FootfallConsents, FootfallGroups, FootfallLiveList, navigator, fetch, WebSocket, URL, URLSearchParams, crypto, setTimeout, clearTimeout */
'use strict';

const zh = !/^en/i.test(navigator.language || '');
const T = zh
  ? { title: '专属服务', intro: '输入会员卡号和手机号后四位，与门店店员一对一聊天。', code: '会员卡号', phone: '手机号后四位', login: '进入聊天', bad: '卡号或手机号不匹配', many: '尝试次数过多，请稍后再试', send: '发送', image: '图片', older: '更早的消息', online: '店员在线', offline: '店员暂时不在线，留言后会尽快回复', typing: '店员正在输入…', sending: '发送中', sent: '已发送', delivered: '已送达', read: '已读', recall: '撤回', recalled: '消息已撤回', failed: '发送失败', sizes: '有货尺码', placeholder: '输入消息…', tooBig: '图片不能超过 2 MB', myCard: '我的会员卡', myCardHint: '到店时向店员出示此二维码即可签到。', noStore: '链接缺少门店（?store=）', reconnecting: '连接中断，正在重新连接…', assistant: '智能助手', askClerk: '转人工', askClerkText: '转人工' }
  : { title: 'Personal service', intro: 'Enter your card code and the last 4 digits of your phone to chat with the store.', code: 'Card code', phone: 'Phone, last 4 digits', login: 'Start chatting', bad: 'Card code or phone do not match', many: 'Too many attempts, try again later', send: 'Send', image: 'Image', older: 'Earlier messages', online: 'A clerk is online', offline: 'No clerk online right now; leave a message', typing: 'The clerk is typing…', sending: 'Sending', sent: 'Sent', delivered: 'Delivered', read: 'Read', recall: 'Recall', recalled: 'Message recalled', failed: 'Not sent', sizes: 'In stock', placeholder: 'Message…', tooBig: 'Images can be at most 2 MB', myCard: 'My card', myCardHint: 'Show this QR at the counter to check in.', noStore: 'The link has no store (?store=)', reconnecting: 'Connection lost, reconnecting…', assistant: 'Assistant', askClerk: 'Talk to a clerk', askClerkText: "I'd like to talk to a clerk" };
// 7/8: the store's member-side assistant answers as this device id (shared/assist.ts ASSISTANT_DEVICE_ID).
const ASSISTANT_DEVICE_ID = 'footfall-assistant';

const $ = (id) => document.getElementById(id);
const storeId = new URLSearchParams(window.location.search).get('store') || '';
const tokenKey = `footfall.member.${storeId}`;
let token = sessionStorage.getItem(tokenKey);
let me = null;
// The member socket: at most one at a time. `live` once HQ welcomed it: only then are messages
// sent on it, so each queued message goes once per connection (HQ dedupes by clientId anyway).
let ws = null;
let live = false;
let attempt = 0;
let reconnectTimer = null;
let receipts = { memberDelivered: 0, memberRead: 0, storeDelivered: 0, storeRead: 0 };
const messages = new Map(); // id -> message (confirmed)
const pending = new Map(); // clientId -> {text|imageId, at, failed}; kept in localStorage (queue.js)
const images = new Map();
let typingTimer = null;
let typingOn = false;
let storeTypingTimer = null;

document.documentElement.lang = zh ? 'zh-CN' : 'en';
for (const [id, key] of [['l-code', 'code'], ['l-phone', 'phone'], ['login-btn', 'login'], ['send', 'send'], ['l-image', 'image'], ['older', 'older'], ['login-intro', 'intro'], ['store-name', 'title'], ['ask-clerk', 'askClerk']]) $(id).textContent = T[key];
$('text').placeholder = T.placeholder;
document.title = T.title;

// 4/8 part A: "My card" — the member QR (FOOTFALL:<card code>) from GET /v1/member/card.svg, fetched
// with the member's token and shown through a blob URL (the CSP allows blob: images).
$('my-card-title').textContent = T.myCard;
$('my-card-hint').textContent = T.myCardHint;
$('my-card-qr').alt = T.myCard;
async function loadCard() {
  try {
    const res = await api('/v1/member/card.svg');
    if (!res.ok) return;
    const old = $('my-card-qr').src;
    $('my-card-qr').src = URL.createObjectURL(await res.blob());
    if (old.startsWith('blob:')) URL.revokeObjectURL(old);
  } catch {
    // Offline: the card shows again on the next start.
  }
}

async function api(path, init = {}) {
  const headers = Object.assign({}, init.headers || {});
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, Object.assign({}, init, { headers }));
  if (res.status === 401 && path !== '/v1/member/session') {
    sessionStorage.removeItem(tokenKey);
    token = null;
    showLogin();
  }
  return res;
}

function showLogin() {
  $('login').hidden = false;
  $('chat').hidden = true;
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  const socket = ws;
  ws = null;
  live = false;
  if (socket) socket.close();
  FootfallGroups.hide();
}

$('login').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('login-error').textContent = '';
  const res = await api('/v1/member/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ storeId, memberCode: $('code').value.trim(), phoneLast4: $('phone').value.trim() }) });
  if (!res.ok) {
    $('login-error').textContent = res.status === 429 ? T.many : T.bad;
    return;
  }
  token = (await res.json()).token;
  sessionStorage.setItem(tokenKey, token);
  void start();
});

async function start() {
  let res;
  try {
    res = await api('/v1/member/me');
  } catch {
    // HQ unreachable as the page opens: say so and try again with the socket's backoff.
    setLinkDown();
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(() => void start(), Math.min(15000, 500 * 2 ** attempt++) * (0.5 + Math.random() / 2));
    return;
  }
  if (res.status >= 500) {
    setLinkDown();
    reconnectTimer = setTimeout(() => void start(), Math.min(15000, 500 * 2 ** attempt++) * (0.5 + Math.random() / 2));
    return;
  }
  if (!res.ok) return showLogin();
  me = await res.json();
  $('store-name').textContent = me.storeName;
  void loadCard();
  $('login').hidden = true;
  $('chat').hidden = false;
  // Messages still sending when the page was last closed: shown as sending, resent on welcome.
  for (const [clientId, p] of FootfallOutbox.load(localStorage, me.storeId, me.memberId)) if (!pending.has(clientId)) pending.set(clientId, p);
  try {
    const page = await (await api('/v1/member/messages?limit=30')).json();
    for (const m of page.messages) messages.set(m.id, m);
    FootfallOutbox.settle(pending, page.messages);
    receipts = page.receipts;
    $('older').hidden = !page.hasMore;
  } catch {
    // History comes again on the socket's welcome.
  }
  render(true);
  void FootfallHolds.load(); // 4/8 part C: the pairs put aside for the member
  void FootfallConsents.load(); // 7/8 attribution: My choices
  connect();
  void FootfallGroups.start({ api, me }); // 5/8 part C: the member's groups (and ?join= links)
}

$('older').addEventListener('click', async () => {
  const first = [...messages.values()].sort((a, b) => a.n - b.n)[0];
  if (!first) return;
  const page = await (await api(`/v1/member/messages?before=${first.n}&limit=30`)).json();
  for (const m of page.messages) messages.set(m.id, m);
  $('older').hidden = !page.hasMore;
  render(false);
});

// The socket's life: connect → hello → welcome (live) → … → closed → reconnect with jittered
// exponential backoff (0.5 s doubling to 15 s), at once when the browser says the network is back
// or the page is shown again. Reconnecting never depends on an HTTP call succeeding: HQ may be
// down for a while, and every failed attempt simply schedules the next one.
function connect() {
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  if (!token || ws) return;
  const url = new URL('/v1/member/socket', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(url.toString());
  ws = socket;
  socket.onopen = () => socket.send(JSON.stringify({ t: 'hello', v: 1, token }));
  socket.onmessage = (ev) => {
    if (ws !== socket) return;
    let frame;
    try {
      frame = JSON.parse(ev.data);
    } catch {
      return;
    }
    onFrame(frame, socket);
  };
  socket.onclose = (ev) => {
    if (ws !== socket) return; // an older socket, already replaced
    ws = null;
    live = false;
    setLinkDown();
    if (ev.code === 4001) return showLogin();
    scheduleReconnect();
  };
}

function scheduleReconnect() {
  if (!token || ws || reconnectTimer) return;
  const delay = Math.min(15000, 500 * 2 ** attempt++) * (0.5 + Math.random() / 2);
  reconnectTimer = setTimeout(connect, delay);
}

/** Try now instead of waiting for the backoff (the network is back, the page is shown again). */
function reconnectNow() {
  if (!token || ws || !$('login').hidden) return;
  attempt = 0;
  connect();
}
window.addEventListener('online', reconnectNow);

/** The newest page of history, merged: messages missed while the socket was down, queue settled. */
async function reload() {
  const res = await api('/v1/member/messages?limit=30');
  if (!res.ok) return;
  const page = await res.json();
  for (const m of page.messages) messages.set(m.id, m);
  FootfallOutbox.settle(pending, page.messages);
  receipts = page.receipts;
  render(true);
}

function onFrame(f, socket) {
  switch (f.t) {
    case 'welcome':
      attempt = 0;
      live = true;
      receipts = f.receipts;
      setStore(f.storeOnline);
      // What was missed while the socket was down comes first (it settles messages HQ already
      // has), then everything still queued goes, once, on this socket (same clientId: HQ keeps one).
      void FootfallGroups.resync(); // groups: what was missed, and their queued messages
      void reload()
        .catch(() => {})
        .finally(() => {
          if (ws !== socket || !live) return;
          for (const [clientId, p] of pending) if (!p.failed) sendFrame(clientId, p);
          acknowledge();
          render(false);
        });
      return;
    case 'message':
      messages.set(f.message.id, f.message);
      pending.delete(f.message.clientId);
      receipts = f.receipts;
      if (f.message.from === 'clerk') hideTyping();
      render(true);
      acknowledge();
      return;
    case 'sendAck':
      if (f.status === 'rejected') {
        const p = pending.get(f.clientId);
        if (p) p.failed = true;
      } else if (f.message) {
        messages.set(f.message.id, f.message);
        pending.delete(f.clientId);
      }
      render(true);
      return;
    case 'receipt':
      receipts = f.receipts;
      render(false);
      return;
    case 'recalled':
      messages.set(f.message.id, f.message);
      render(false);
      return;
    case 'typing':
      if (f.on) {
        $('typing').textContent = T.typing;
        $('typing').hidden = false;
        clearTimeout(storeTypingTimer);
        storeTypingTimer = setTimeout(hideTyping, 6000);
      } else hideTyping();
      return;
    case 'presence':
      setStore(f.storeOnline);
      return;
    case 'error':
      $('chat-error').textContent = f.message;
      return;
    default:
      if (typeof f.t === 'string' && f.t.startsWith('group.')) FootfallGroups.onFrame(f);
  }
}

function hideTyping() {
  $('typing').hidden = true;
}

function setStore(online) {
  $('store-status').dataset.online = String(online);
  $('store-status').dataset.link = 'up';
  $('store-status').textContent = online ? T.online : T.offline;
}

/** The socket is down (HQ unreachable): say so, rather than "no clerk online". */
function setLinkDown() {
  $('store-status').dataset.online = 'false';
  $('store-status').dataset.link = 'down';
  $('store-status').textContent = T.reconnecting;
}

/** Tell HQ what this client has received, and read when the page is visible. */
function acknowledge() {
  const last = Math.max(0, ...[...messages.values()].map((m) => m.n));
  if (!ws || !live || ws.readyState !== WebSocket.OPEN || last === 0) return;
  // Read only what is on screen: not while the groups tab covers the chat.
  const read = document.visibilityState === 'visible' && !$('chat').hidden ? last : undefined;
  if (last > receipts.memberDelivered || (read !== undefined && read > receipts.memberRead)) ws.send(JSON.stringify({ t: 'receipt', delivered: last, read }));
}
$('tab-chat').addEventListener('click', acknowledge); // back to the chat: what it shows is read
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') reconnectNow();
  acknowledge();
});

function newClientId() {
  return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2)).replace(/[^A-Za-z0-9-]/g, '');
}

function sendFrame(clientId, p) {
  // Not welcomed yet (or down): the message stays queued and goes on the next welcome.
  if (!ws || !live || ws.readyState !== WebSocket.OPEN) return;
  const message = p.imageId ? { clientId, kind: 'image', imageId: p.imageId } : { clientId, kind: 'text', text: p.text };
  ws.send(JSON.stringify({ t: 'send', message }));
}

// 7/8: one tap asks for a person; the assistant hands the conversation to the store's clerks.
$('ask-clerk').addEventListener('click', () => {
  $('text').value = T.askClerkText;
  $('composer').requestSubmit();
});

$('composer').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('text').value.trim();
  if (!text) return;
  $('text').value = '';
  const clientId = newClientId();
  const p = { text, at: Date.now() };
  pending.set(clientId, p);
  sendFrame(clientId, p);
  setTyping(false);
  render(true);
});

$('text').addEventListener('input', () => {
  setTyping(true);
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => setTyping(false), 3000);
});

function setTyping(on) {
  if (on === typingOn || !ws || !live || ws.readyState !== WebSocket.OPEN) return;
  typingOn = on;
  ws.send(JSON.stringify({ t: 'typing', on }));
}

$('image').addEventListener('change', async () => {
  const file = $('image').files[0];
  $('image').value = '';
  $('chat-error').textContent = '';
  if (!file) return;
  if (file.size > 2 * 1024 * 1024) {
    $('chat-error').textContent = T.tooBig;
    return;
  }
  const res = await api('/v1/member/images', { method: 'POST', headers: { 'content-type': file.type || 'application/octet-stream' }, body: file });
  const body = await res.json();
  if (!res.ok) {
    $('chat-error').textContent = body.error ? body.error.message : T.failed;
    return;
  }
  const clientId = newClientId();
  const p = { imageId: body.image.id, at: Date.now() };
  pending.set(clientId, p);
  sendFrame(clientId, p);
  render(true);
});

// `style`: a style picture (a product card's, by its content-hash id) instead of a chat image.
async function imageUrl(id, style = false) {
  if (images.has(id)) return images.get(id);
  const res = await api(style ? `/v1/style-images/${encodeURIComponent(id)}` : `/v1/chat/images/${encodeURIComponent(id)}`);
  if (!res.ok) return null;
  const url = URL.createObjectURL(await res.blob());
  images.set(id, url);
  return url;
}

function stateOf(m) {
  return receipts.storeRead >= m.n ? 'read' : receipts.storeDelivered >= m.n ? 'delivered' : 'sent';
}

function price(fen) {
  return `¥${(fen / 100).toFixed(fen % 100 ? 2 : 0)}`;
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function render(scroll) {
  // Every change of the queue is followed by a render: keep the stored copy in step here.
  if (me) FootfallOutbox.save(localStorage, me.storeId, me.memberId, pending);
  const list = $('messages');
  const items = [...messages.values()].sort((a, b) => a.n - b.n);
  list.replaceChildren();
  for (const m of items) list.append(item(m));
  for (const [clientId, p] of pending) {
    const li = el('li', 'msg me');
    li.dataset.state = p.failed ? 'failed' : 'sending';
    li.dataset.clientId = clientId;
    li.append(el('div', 'bubble', p.text || T.image));
    li.append(el('div', 'meta', p.failed ? T.failed : T.sending));
    list.append(li);
  }
  if (scroll) list.scrollTop = list.scrollHeight;
}

function item(m) {
  const mine = m.from === 'member';
  const li = el('li', `msg ${mine ? 'me' : 'them'}`);
  li.dataset.n = String(m.n);
  li.dataset.from = m.from;
  if (mine) li.dataset.state = stateOf(m);
  const assistant = !!m.by && m.by.deviceId === ASSISTANT_DEVICE_ID; // 7/8: labelled, never passed off as a clerk
  if (assistant) {
    li.classList.add('assistant');
    li.dataset.assistant = 'true';
  }
  const bubble = el('div', 'bubble');
  if (m.recalledAt) bubble.append(el('em', '', T.recalled));
  else if (m.kind === 'product' && m.product) {
    bubble.className += ' card';
    if (m.product.image) {
      // The style's picture (4/8 part E); the card shows without it until it loads, or if it cannot.
      const pic = el('img', 'product-picture');
      pic.alt = m.product.name;
      void imageUrl(m.product.image.id, true).then((u) => u && (pic.src = u));
      bubble.append(pic);
    }
    bubble.append(el('strong', '', m.product.name), el('span', 'price', price(m.product.price)));
    if (m.product.sizes.length) bubble.append(el('div', 'sizes', `${T.sizes}: EU ${m.product.sizes.map((s) => s.size).join(' · ')}`));
  } else if (m.kind === 'image' && m.image) {
    const img = el('img');
    img.alt = T.image;
    void imageUrl(m.image.id).then((u) => u && (img.src = u));
    bubble.append(img);
  } else bubble.textContent = m.body;
  li.append(bubble);
  const meta = el('div', 'meta');
  const time = new Date(m.at);
  meta.append(el('span', '', `${assistant ? `${T.assistant} · ` : m.by ? `${m.by.clerkName || m.by.deviceName} · ` : ''}${String(time.getHours()).padStart(2, '0')}:${String(time.getMinutes()).padStart(2, '0')}`));
  if (mine) meta.append(el('span', 'state', T[stateOf(m)]));
  if (mine && !m.recalledAt && Date.now() - m.at < 120000) {
    const b = el('button', 'link', T.recall);
    b.type = 'button';
    b.addEventListener('click', () => ws && live && ws.send(JSON.stringify({ t: 'recall', messageId: m.id })));
    meta.append(b);
  }
  li.append(meta);
  return li;
}

if (!storeId) {
  $('login-error').textContent = T.noStore;
  showLogin();
} else {
  void FootfallLiveList.load(); // 6/8 part L4: the store's live rooms, signed in or not
  if (token) void start();
  else showLogin();
}

// Footfall member page: the member's groups (5/8 part C). The "Groups" tab lists the member's groups
// with their unread counts and the chain groups they may join; a link /m/?store=S&join=TOKEN shows
// what it leads to and joins under a nickname; a group's thread shows its pinned notice, messages by
// nickname (hosts by clerk name), product cards with "hold a pair for me" / "I'll come and try it",
// and takes the member's own text. Plain browser JavaScript, no build step; loaded before app.js,
// which calls start() once signed in, hands over every `group.*` frame of its member socket
// (onFrame) and calls resync() after each socket welcome.
//
// Invariants:
// - Other members appear only by nickname ("a former member" once anonymised): the member API's views
//   carry no member ids, phones or names, and nothing here asks for them. The nickname offered when
//   joining is neutral and random, never the member's name or phone.
// - A message being written is queued in localStorage (queue.js, under a key of its own per group)
//   with its clientId before it is posted; a resend — after a reload, when the network is back, on
//   the next welcome — posts the same clientId, so HQ keeps one message.
// - Reading moves the member's one read position (`readN`) forward only, and only for what the thread
//   has shown while the page was visible.
/* global window, document, localStorage, navigator, history, crypto, URL, URLSearchParams, setTimeout, clearTimeout, FootfallOutbox, FootfallHolds */
'use strict';

window.FootfallGroups = (() => {
  const zh = !/^en/i.test(navigator.language || '');
  const T = zh
    ? {
        tabChat: '门店聊天', tabGroups: '我的群组', myGroups: '我的群组', joinable: '可加入的群组', empty: '您还没有加入群组。',
        members: (n) => `${n} 位成员`, hosts: '群主', host: '群主', unread: (n) => `${n} 条未读`, join: '加入', joinTitle: '加入群组',
        nickname: '群昵称', nicknameHint: '其他成员只会看到您的群昵称，不会看到您的姓名和手机号。', joinBtn: '加入群组', cancel: '取消',
        invalidInvite: '这个邀请链接已失效，请向店员索取新的链接。', removedJoin: '您曾被群主移出该群，请向店员索取新的邀请链接。', back: '返回', menu: '设置', notifOff: '消息免打扰', leave: '退出群组',
        leaveConfirm: '确认退出？', older: '更早的消息', send: '发送', placeholder: '说点什么…', former: '已退出的成员', recall: '撤回',
        recalled: '撤回了一条消息', recalledMine: '您撤回了一条消息', deleted: '该消息已被群主删除', image: '[图片]', sending: '发送中',
        failed: '发送失败', resend: '重发', discard: '删除', notice: '群公告', announcement: '公告', closed: '该群已关闭，只能查看历史消息。',
        mutedUntil: (t) => `您已被禁言，至 ${t} 可再发言。`, slow: (s) => `慢速模式：每 ${s} 秒可发一条。`,
        slowRetry: (s) => `慢速模式：每 ${s} 秒只能发一条，请稍后重发。`, rateLimited: '发送太频繁了，请稍后重发。',
        blocked: '消息含有不允许的词语，请修改后再发送。', notMember: '您已不在这个群里。', tooLong: '消息太长了。',
        gone: { removed: (g) => `您已被移出「${g}」。`, closed: (g) => `「${g}」已关闭。`, left: (g) => `您已退出「${g}」。` },
        price: '价格', forMe: '适合您的尺码', sizes: '有货尺码', hold: '帮我留一双', expect: '我会来试穿', color: '颜色', size: '尺码',
        anySize: '尚未决定', day: '哪天来（可不填）', confirmHold: '确认留货', confirmExpect: '告诉门店', size_: (s) => `${s}码`,
        held: (h, store, until) => `已在${store}为您留好 ${h.styleName} · ${h.colorName} · ${h.size}码，保留至 ${until}。`,
        expected: (store, until) => `${store}已收到，期待您在 ${until} 前到店试穿。`, outOfStock: '这双刚被留走了，请换个颜色或尺码。',
        newAnnouncement: (g) => `「${g}」有新公告`, error: '出错了，请稍后再试。',
      }
    : {
        tabChat: 'Store chat', tabGroups: 'My groups', myGroups: 'My groups', joinable: 'Groups you can join', empty: 'You have not joined a group yet.',
        members: (n) => `${n} member${n === 1 ? '' : 's'}`, hosts: 'Hosts', host: 'Host', unread: (n) => `${n} unread`, join: 'Join', joinTitle: 'Join the group',
        nickname: 'Nickname in the group', nicknameHint: 'Other members see only this nickname, never your name or phone.', joinBtn: 'Join the group', cancel: 'Cancel',
        invalidInvite: 'This invite link no longer works; ask the store for a new one.', removedJoin: 'A host removed you from this group; ask the store for a new link.', back: 'Back', menu: 'Settings', notifOff: 'Mute notifications', leave: 'Leave the group',
        leaveConfirm: 'Really leave?', older: 'Earlier messages', send: 'Send', placeholder: 'Say something…', former: 'Former member', recall: 'Recall',
        recalled: 'recalled a message', recalledMine: 'You recalled a message', deleted: 'Removed by a host', image: '[Picture]', sending: 'Sending',
        failed: 'Not sent', resend: 'Resend', discard: 'Delete', notice: 'Notice', announcement: 'Announcement', closed: 'This group is closed; its history stays readable.',
        mutedUntil: (t) => `A host muted you until ${t}.`, slow: (s) => `Slow mode: one message every ${s} s.`,
        slowRetry: (s) => `Slow mode: one message every ${s} s. Resend in a moment.`, rateLimited: 'Too many messages; resend in a moment.',
        blocked: 'The message contains a word this group does not allow; please change it.', notMember: 'You are no longer in this group.', tooLong: 'The message is too long.',
        gone: { removed: (g) => `A host removed you from “${g}”.`, closed: (g) => `“${g}” was closed.`, left: (g) => `You left “${g}”.` },
        price: 'Price', forMe: 'For your size', sizes: 'In stock', hold: 'Hold a pair for me', expect: "I'll come and try it", color: 'Colour', size: 'Size',
        anySize: 'Not sure yet', day: 'Which day (optional)', confirmHold: 'Hold it', confirmExpect: 'Tell the store', size_: (s) => `EU ${s}`,
        held: (h, store, until) => `Put aside at ${store}: ${h.styleName} · ${h.colorName} · EU ${h.size}, until ${until}.`,
        expected: (store, until) => `${store} knows you are coming; see you by ${until}.`, outOfStock: 'That pair was just taken; try another colour or size.',
        newAnnouncement: (g) => `New announcement in “${g}”`, error: 'Something went wrong; try again later.',
      };
  const RECALL_MS = 2 * 60 * 1000;
  const PAGE = 30;

  let ctx = null; // { api, me } from app.js once signed in
  const groups = new Map(); // id -> MemberGroupView (the member's groups)
  let joinable = [];
  // The open group: { id, messages: Map id -> message, hasMore, welcome (just joined: shown after welcomeAfter) }
  let thread = null;
  const queues = new Map(); // groupId -> Map clientId -> { text, at, failed, error? }
  const pictures = new Map(); // url -> blob URL
  let joining = null; // { token } | { groupId }
  let readTimer = null;
  let toastTimer = null;

  const $ = (id) => document.getElementById(id);
  const enc = encodeURIComponent;
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function button(cls, text, onClick) {
    const b = el('button', cls, text);
    b.type = 'button';
    b.addEventListener('click', onClick);
    return b;
  }
  const price = (fen) => `¥${(fen / 100).toFixed(fen % 100 ? 2 : 0)}`;
  const pad = (n) => String(n).padStart(2, '0');
  function time(ms) {
    const d = new Date(ms);
    const today = new Date().toDateString() === d.toDateString();
    const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    return today ? hm : `${d.toLocaleDateString(zh ? 'zh-CN' : 'en', { month: 'short', day: 'numeric' })} ${hm}`;
  }
  const day = (ms) => new Date(ms).toLocaleDateString(zh ? 'zh-CN' : 'en', { month: 'short', day: 'numeric', weekday: 'short' });
  const isoDay = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  function newClientId() {
    return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2)).replace(/[^A-Za-z0-9-]/g, '');
  }
  /** A neutral nickname to start from: a word and four random digits (never the member's name or phone). */
  function neutralNickname() {
    const n = crypto.getRandomValues(new Uint16Array(1))[0] % 10000;
    return `${zh ? '鞋友' : 'Member '}${String(n).padStart(4, '0')}`;
  }
  const unread = (g) => (g.me ? Math.max(0, g.lastN - g.me.readN) : 0);
  const json = (body) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  async function errorOf(res) {
    try {
      return (await res.json()).error || { code: String(res.status), message: '' };
    } catch {
      return { code: String(res.status), message: '' };
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Tabs: the store chat (app.js's #chat) and the groups (#groups).

  function showTab(tab) {
    $('chat').hidden = tab !== 'chat';
    $('groups').hidden = tab !== 'groups';
    $('tab-chat').setAttribute('aria-pressed', String(tab === 'chat'));
    $('tab-groups').setAttribute('aria-pressed', String(tab === 'groups'));
    setView();
    if (tab === 'groups') markRead();
  }

  /** What the page shows, for the stylesheet: the chat, the groups' list, or a group's thread (which hides the holds banner to leave the thread room; the card says where a pair is held). */
  function setView() {
    document.body.dataset.view = !$('chat').hidden ? 'chat' : $('group-thread').hidden ? 'groups' : 'thread';
  }

  /** Signed in: the tabs, the member's groups, and the join card when the page came from a link. */
  async function start(context) {
    ctx = context;
    $('tab-chat').textContent = T.tabChat;
    $('tab-groups-label').textContent = T.tabGroups;
    $('tabs').hidden = false;
    const token = new URLSearchParams(window.location.search).get('join');
    if (token) {
      showTab('groups');
      await showInvite(token);
    }
    await loadList();
  }

  /** Signed out: nothing of the groups stays on screen. */
  function hide() {
    $('tabs').hidden = true;
    $('groups').hidden = true;
    thread = null;
    ctx = null;
    // Another member may sign in on this page next: nothing of this one's stays in memory.
    groups.clear();
    joinable = [];
    queues.clear();
    for (const url of pictures.values()) URL.revokeObjectURL(url);
    pictures.clear();
  }

  async function loadList() {
    if (!ctx) return;
    let body;
    try {
      const res = await ctx.api('/v1/member/groups');
      if (!res.ok) return;
      body = await res.json();
    } catch {
      return; // offline: the list comes with the next welcome
    }
    groups.clear();
    for (const g of body.groups) groups.set(g.id, g);
    joinable = body.joinable;
    renderList();
    if (thread && groups.has(thread.id)) renderHead();
  }

  function renderList() {
    $('my-groups-title').textContent = T.myGroups;
    const list = $('group-list');
    list.replaceChildren();
    const mine = [...groups.values()].sort((a, b) => (b.lastAt ?? 0) - (a.lastAt ?? 0));
    for (const g of mine) {
      const li = el('li', 'group-item');
      li.dataset.groupId = g.id;
      const b = button('group-open', '', () => void openThread(g.id));
      const name = el('span', 'group-name', g.name);
      const n = unread(g);
      b.append(name);
      if (n > 0) {
        const badge = el('span', 'badge', String(n));
        badge.title = T.unread(n);
        b.append(badge);
      }
      b.append(el('span', 'group-sub', `${g.storeName} · ${T.members(g.memberCount)}${g.me && g.me.notificationsOff ? ` · ${T.notifOff}` : ''}`));
      li.dataset.unread = String(n);
      li.append(b);
      list.append(li);
    }
    $('group-empty').textContent = mine.length ? '' : T.empty;
    $('joinable-title').textContent = T.joinable;
    $('joinable-title').hidden = joinable.length === 0;
    const jl = $('joinable-list');
    jl.replaceChildren();
    for (const g of joinable) {
      const li = el('li', 'group-item joinable');
      li.dataset.groupId = g.id;
      const info = el('div', 'group-info');
      info.append(el('span', 'group-name', g.name), el('span', 'group-sub', `${g.storeName} · ${T.members(g.memberCount)}`));
      if (g.topic) info.append(el('span', 'group-topic', g.topic));
      li.append(info, button('join', T.join, () => showJoin({ groupId: g.id }, { name: g.name, topic: g.topic, storeName: g.storeName, memberCount: g.memberCount, valid: !g.closed })));
      jl.append(li);
    }
    const total = mine.reduce((s, g) => s + unread(g), 0);
    $('groups-unread').textContent = String(total);
    $('groups-unread').hidden = total === 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Joining: by an invite link (?join=TOKEN) or a chain group from the list.

  async function showInvite(token) {
    let preview = null;
    try {
      const res = await ctx.api(`/v1/member/invites/${enc(token)}`);
      if (res.ok) preview = await res.json();
    } catch {
      // offline: say the link cannot be read now; the list still shows
    }
    if (preview && groups.has(preview.groupId)) {
      // Already a member (the link opened twice): straight to the thread.
      dropJoinParam();
      return openThread(preview.groupId);
    }
    showJoin({ token }, preview);
  }

  function showJoin(how, preview) {
    joining = how;
    const form = $('group-join');
    form.hidden = false;
    $('group-home').hidden = true;
    $('group-thread').hidden = true;
    setView();
    $('join-title').textContent = T.joinTitle;
    $('join-error').textContent = '';
    $('join-cancel').textContent = T.cancel;
    const ok = preview && preview.valid;
    $('join-name').textContent = preview ? preview.name : '';
    $('join-topic').textContent = preview ? preview.topic : '';
    $('join-meta').textContent = preview ? `${preview.storeName} · ${T.members(preview.memberCount)}` : '';
    $('join-fields').hidden = !ok;
    if (!ok) {
      $('join-error').textContent = T.invalidInvite;
      return;
    }
    $('l-nickname').textContent = T.nickname;
    $('nickname-hint').textContent = T.nicknameHint;
    $('join-btn').textContent = T.joinBtn;
    if (!$('nickname').value) $('nickname').value = neutralNickname();
  }

  function dropJoinParam() {
    const url = new URL(window.location.href);
    if (!url.searchParams.has('join')) return;
    url.searchParams.delete('join');
    history.replaceState(null, '', url.pathname + url.search);
  }

  function closeJoin() {
    joining = null;
    dropJoinParam();
    $('group-join').hidden = true;
    $('group-home').hidden = false;
  }

  async function join(e) {
    e.preventDefault();
    if (!joining || !ctx) return;
    const nickname = $('nickname').value.trim();
    if (!nickname) return;
    $('join-error').textContent = '';
    $('join-btn').disabled = true;
    try {
      const res = await ctx.api('/v1/member/groups/join', Object.assign({ method: 'POST' }, json(Object.assign({}, joining, { nickname }))));
      if (!res.ok) {
        const err = await errorOf(res);
        $('join-error').textContent = err.code === 'not_found' || err.code === 'gone' ? T.invalidInvite : err.code === 'forbidden' ? T.removedJoin : err.code === 'closed' ? T.closed : err.message || T.error;
        return;
      }
      const body = await res.json();
      groups.set(body.group.id, body.group);
      joinable = joinable.filter((g) => g.id !== body.group.id);
      closeJoin();
      renderList();
      await openThread(body.group.id, body.welcome);
    } catch {
      $('join-error').textContent = T.error;
    } finally {
      $('join-btn').disabled = false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // A group's thread.

  const queueKey = (groupId) => `${ctx.me.storeId}.group.${groupId}`;
  function queueOf(groupId) {
    if (!queues.has(groupId)) queues.set(groupId, new Map(ctx ? FootfallOutbox.load(localStorage, queueKey(groupId), ctx.me.memberId) : []));
    return queues.get(groupId);
  }
  function saveQueue(groupId) {
    if (ctx) FootfallOutbox.save(localStorage, queueKey(groupId), ctx.me.memberId, queueOf(groupId));
  }

  async function openThread(groupId, welcome) {
    const g = groups.get(groupId);
    if (!g || !ctx) return;
    thread = { id: groupId, messages: new Map(), hasMore: false, welcome: welcome || '', welcomeAfter: g.lastN };
    $('group-join').hidden = true;
    $('group-home').hidden = true;
    $('group-thread').hidden = false;
    $('group-thread').dataset.groupId = groupId;
    setView();
    $('group-error').textContent = '';
    $('leave-btn').dataset.confirm = 'false';
    $('thread-menu').open = false;
    renderHead();
    await fetchPage(groupId, `before=${g.lastN + 1}&limit=${PAGE}`, 'newest');
    flush(groupId);
  }

  function closeThread() {
    thread = null;
    $('group-thread').hidden = true;
    $('group-home').hidden = false;
    setView();
    renderList();
  }

  /** A page of messages merged into the open thread. `dir`: 'newest' (opening: to the bottom), 'older' (paging back: the reader stays where they were), 'newer' (catching up). */
  async function fetchPage(groupId, query, dir) {
    let page;
    try {
      const res = await ctx.api(`/v1/member/groups/${enc(groupId)}/messages?${query}`);
      if (!res.ok) return null;
      page = await res.json();
    } catch {
      return null;
    }
    if (!thread || thread.id !== groupId) return null;
    for (const m of page.messages) thread.messages.set(m.id, m);
    if (dir !== 'newer') thread.hasMore = page.hasMore;
    settle(groupId, page.messages);
    const g = groups.get(groupId);
    if (g) g.lastN = Math.max(g.lastN, page.lastN);
    renderThread(dir === 'newest');
    return page;
  }

  /** Everything after the newest message shown (missed while the socket was down, or a gap). */
  async function catchUp(groupId) {
    for (let i = 0; i < 20 && thread && thread.id === groupId; i++) {
      const page = await fetchPage(groupId, `after=${newestN()}&limit=100`, 'newer');
      if (!page || !page.hasMore) return;
    }
  }

  const newestN = () => (thread ? Math.max(0, ...[...thread.messages.values()].map((m) => m.n)) : 0);

  function settle(groupId, confirmed) {
    const q = queueOf(groupId);
    let changed = false;
    for (const m of confirmed) if (m.mine && q.delete(m.clientId)) changed = true;
    if (changed) saveQueue(groupId);
  }

  function renderHead() {
    const g = thread && groups.get(thread.id);
    if (!g) return;
    $('thread-back').textContent = `‹ ${T.back}`;
    $('thread-name').textContent = g.name;
    $('thread-sub').textContent = `${g.storeName} · ${T.members(g.memberCount)}${g.hostNames.length ? ` · ${T.hosts}: ${g.hostNames.join('、')}` : ''}`;
    $('thread-menu-title').textContent = T.menu;
    $('l-notif-off').textContent = T.notifOff;
    $('notif-off').checked = Boolean(g.me && g.me.notificationsOff);
    $('leave-btn').textContent = $('leave-btn').dataset.confirm === 'true' ? T.leaveConfirm : T.leave;
    $('thread-notice').hidden = !g.notice;
    $('thread-notice').replaceChildren(el('strong', '', T.notice), el('span', '', g.notice));
    $('group-older').textContent = T.older;
    $('group-text').placeholder = T.placeholder;
    $('group-send').textContent = T.send;
    // What the member can do now: a closed group or a mute blocks the composer; slow mode is said.
    const mutedUntil = g.me && g.me.mutedUntil && g.me.mutedUntil > Date.now() ? g.me.mutedUntil : null;
    const state = g.closed ? T.closed : mutedUntil ? T.mutedUntil(time(mutedUntil)) : g.slowModeSec > 0 ? T.slow(g.slowModeSec) : '';
    $('thread-state').textContent = state;
    $('thread-state').hidden = !state;
    const blocked = g.closed || mutedUntil !== null;
    $('group-text').disabled = blocked;
    $('group-send').disabled = blocked;
  }

  function renderThread(scroll) {
    if (!thread) return;
    const list = $('group-messages');
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const fromBottom = list.scrollHeight - list.scrollTop;
    list.replaceChildren();
    // The welcome of a group just joined sits where the member came in: after what was said before.
    const welcome = thread.welcome ? el('li', 'gwelcome', thread.welcome) : null;
    if (welcome) welcome.id = 'thread-welcome';
    for (const m of [...thread.messages.values()].sort((a, b) => a.n - b.n)) {
      if (welcome && m.n > thread.welcomeAfter && !welcome.isConnected) list.append(welcome);
      list.append(item(m));
    }
    if (welcome && !welcome.isConnected) list.append(welcome);
    for (const [clientId, p] of queueOf(thread.id)) list.append(pendingItem(clientId, p));
    $('group-older').hidden = !thread.hasMore;
    if (scroll || atBottom) list.scrollTop = list.scrollHeight;
    else list.scrollTop = list.scrollHeight - fromBottom; // older messages added above: stay where the reader was
    renderHead();
    markRead();
  }

  function who(m) {
    if (m.from === 'host') {
      const w = el('div', 'who host');
      w.append(el('span', 'host-badge', T.host), el('span', 'nick', m.hostName || ''));
      return w;
    }
    if (m.nickname === null) return el('div', 'who former', T.former);
    return el('div', 'who', m.nickname);
  }

  function item(m) {
    const li = el('li', `gmsg ${m.mine ? 'me' : 'them'}`);
    li.dataset.n = String(m.n);
    li.dataset.kind = m.kind;
    li.dataset.from = m.from;
    if (m.mine) li.dataset.state = 'sent';
    if (m.recalledAt || m.deletedAt) {
      li.className = 'gmsg system';
      li.dataset.state = m.deletedAt ? 'deleted' : 'recalled';
      const name = m.from === 'host' ? m.hostName || T.host : m.nickname || T.former;
      li.append(el('em', '', m.deletedAt ? T.deleted : m.mine ? T.recalledMine : `${name} ${T.recalled}`));
      return li;
    }
    if (!m.mine) li.append(who(m));
    if (m.kind === 'announcement') li.classList.add('announcement');
    const bubble = el('div', 'bubble');
    if (m.replyTo) bubble.append(el('div', 'reply-to', `${m.replyTo.nickname || T.former}: ${m.replyTo.excerpt}`));
    if (m.kind === 'product' && m.product) bubble.append(card(m));
    else if (m.kind === 'image' && m.image) {
      const img = el('img');
      img.alt = T.image;
      void picture(`/v1/chat/images/${enc(m.image.id)}`).then((u) => (u ? (img.src = u) : img.replaceWith(el('span', '', T.image))));
      bubble.append(img);
    } else {
      if (m.kind === 'announcement') bubble.append(el('strong', 'announcement-label', T.announcement));
      bubble.append(el('span', 'text', m.body));
    }
    li.append(bubble);
    const meta = el('div', 'meta');
    meta.append(el('span', '', time(m.at)));
    if (m.mine && Date.now() - m.at < RECALL_MS) meta.append(button('link recall', T.recall, () => void recall(m)));
    li.append(meta);
    return li;
  }

  function pendingItem(clientId, p) {
    const li = el('li', 'gmsg me');
    li.dataset.state = p.failed ? 'failed' : 'sending';
    li.dataset.clientId = clientId;
    li.append(el('div', 'bubble', p.text));
    const meta = el('div', 'meta');
    meta.append(el('span', '', p.failed ? T.failed : T.sending));
    if (p.failed) {
      meta.append(
        button('link resend', T.resend, () => {
          p.failed = false;
          p.error = '';
          void post(thread.id, clientId, p);
        }),
        button('link discard', T.discard, () => {
          queueOf(thread.id).delete(clientId);
          saveQueue(thread.id);
          renderThread(false);
        }),
      );
    }
    li.append(meta);
    if (p.failed && p.error) li.append(el('div', 'why error-inline', p.error));
    return li;
  }

  async function picture(url) {
    if (pictures.has(url)) return pictures.get(url);
    try {
      const res = await ctx.api(url);
      if (!res.ok) return null;
      const blob = URL.createObjectURL(await res.blob());
      pictures.set(url, blob);
      return blob;
    } catch {
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Product cards: "hold a pair for me" and "I'll come and try it".

  function card(m) {
    const p = m.product;
    const g = groups.get(m.groupId) || { storeName: '' };
    const box = el('div', 'gcard');
    box.dataset.styleId = p.styleId;
    if (m.forMe) box.dataset.forMe = 'true';
    const color = p.colors[0] ? p.colors[0].code : '';
    const pic = el('img', 'product-picture');
    pic.alt = p.name;
    void picture(`/v1/styles/${enc(p.styleId)}/image${color ? `?color=${enc(color)}` : ''}`).then((u) => (u ? (pic.src = u) : pic.remove()));
    box.append(pic, el('strong', 'gcard-name', p.name), el('span', 'price', price(p.price)));
    if (m.forMe) box.append(el('span', 'for-me', `✓ ${T.forMe}`));
    if (p.sizes.length) box.append(el('div', 'sizes', `${T.sizes}: ${p.sizes.map((s) => s.size).join(' · ')}`));
    if (m.body) box.append(el('p', 'gcard-body', m.body));
    const actions = el('div', 'gcard-actions');
    const form = el('div', 'gcard-form');
    form.hidden = true;
    const result = el('p', 'gcard-result');
    result.setAttribute('role', 'status');
    const canHold = p.sizes.length > 0 && p.colors.length > 0;
    const holdBtn = button('hold', T.hold, () => openForm('hold'));
    holdBtn.dataset.action = 'hold';
    holdBtn.disabled = !canHold;
    const expectBtn = button('secondary expect', T.expect, () => openForm('expect'));
    expectBtn.dataset.action = 'expect';
    actions.append(holdBtn, expectBtn);
    box.append(actions, form, result);

    function select(label, name, options) {
      const l = el('label');
      const s = el('select');
      s.name = name;
      for (const [value, text] of options) {
        const o = el('option', '', text);
        o.value = value;
        s.append(o);
      }
      l.append(el('span', '', label), s);
      return [l, s];
    }
    function openForm(kind) {
      form.replaceChildren();
      form.hidden = false;
      form.dataset.kind = kind;
      result.textContent = '';
      const sizes = p.sizes.map((s) => [String(s.size), T.size_(s.size)]);
      const [sizeL, sizeS] = select(T.size, 'size', kind === 'hold' ? sizes : [['', T.anySize], ...sizes]);
      if (kind === 'hold') {
        const [colorL, colorS] = select(T.color, 'color', p.colors.map((c) => [c.code, c.name]));
        colorS.addEventListener('change', () => void picture(`/v1/styles/${enc(p.styleId)}/image?color=${enc(colorS.value)}`).then((u) => u && (pic.src = u)));
        form.append(colorL, sizeL);
        form.append(
          button('confirm', T.confirmHold, () =>
            void submit('/v1/member/holds', { styleId: p.styleId, color: colorS.value, size: Number(sizeS.value) }, (b) => T.held(b.hold, g.storeName, day(b.hold.until))),
          ),
        );
      } else {
        if (m.forMe && p.sizes.length) sizeS.value = String(p.sizes[0].size);
        const dayL = el('label');
        const dayI = el('input');
        dayI.type = 'date';
        dayI.name = 'on';
        const today = new Date();
        dayI.min = isoDay(today);
        dayI.max = isoDay(new Date(today.getTime() + 6 * 86400000));
        dayL.append(el('span', '', T.day), dayI);
        form.append(sizeL, dayL);
        form.append(
          button('confirm', T.confirmExpect, () => {
            const body = { styleId: p.styleId };
            if (sizeS.value) body.size = Number(sizeS.value);
            if (dayI.value) body.on = dayI.value;
            void submit('/v1/member/expected', body, (b) => T.expected(g.storeName, day(b.expected.until)));
          }),
        );
      }
      form.append(button('link', T.cancel, () => (form.hidden = true)));
      form.scrollIntoView({ block: 'nearest' });
    }
    // One clientId per opened form: tapping twice (or again after a network error) is one hold.
    let clientId = null;
    async function submit(path, fields, done) {
      clientId = clientId || newClientId();
      // The group's store: the card's stock is that store's (a chain group's store may not be the session's).
      const body = Object.assign({ clientId, source: { kind: 'group', id: m.groupId } }, g.storeId ? { storeId: g.storeId } : {}, fields);
      for (const b of form.querySelectorAll('button')) b.disabled = true;
      try {
        const res = await ctx.api(path, Object.assign({ method: 'POST' }, json(body)));
        if (!res.ok) {
          const err = await errorOf(res);
          result.dataset.ok = 'false';
          result.textContent = err.code === 'out_of_stock' ? T.outOfStock : err.message || T.error;
          if (err.code === 'out_of_stock') clientId = null; // another pair is another hold
          return;
        }
        const b = await res.json();
        result.dataset.ok = 'true';
        result.textContent = done(b);
        form.hidden = true;
        clientId = null;
        if (path === '/v1/member/holds' && window.FootfallHolds) void FootfallHolds.load();
      } catch {
        result.dataset.ok = 'false';
        result.textContent = T.error;
      } finally {
        for (const b of form.querySelectorAll('button')) b.disabled = false;
      }
    }
    return box;
  }

  // ---------------------------------------------------------------------------------------------
  // Writing, recalling, reading.

  function compose(e) {
    e.preventDefault();
    if (!thread) return;
    const text = $('group-text').value.trim();
    if (!text) return;
    $('group-text').value = '';
    $('group-error').textContent = '';
    const clientId = newClientId();
    const p = { text, at: Date.now() };
    queueOf(thread.id).set(clientId, p);
    saveQueue(thread.id);
    renderThread(true);
    void post(thread.id, clientId, p);
  }

  /** Posts one queued message; network trouble leaves it queued (resent later), a refusal marks it failed with why. */
  async function post(groupId, clientId, p) {
    if (p.sending || !ctx) return;
    p.sending = true;
    try {
      const res = await ctx.api(`/v1/member/groups/${enc(groupId)}/messages`, Object.assign({ method: 'POST' }, json({ clientId, kind: 'text', text: p.text })));
      if (res.ok) {
        const body = await res.json();
        queueOf(groupId).delete(clientId);
        if (body.message && thread && thread.id === groupId) thread.messages.set(body.message.id, body.message);
      } else if (res.status < 500 && res.status !== 401) {
        const err = await errorOf(res);
        // A mute or a closing this page has not heard of yet: the group's view again, to say until when.
        if (err.code === 'muted' || err.code === 'closed') await loadList();
        p.failed = true;
        p.error = refusal(groupId, err);
        $('group-error').textContent = p.error;
      }
    } catch {
      // Offline: stays queued; goes again on the socket's next welcome or the browser's `online`.
    } finally {
      p.sending = false;
      saveQueue(groupId);
      if (thread && thread.id === groupId) renderThread(false);
    }
  }

  function refusal(groupId, err) {
    const g = groups.get(groupId);
    switch (err.code) {
      case 'muted':
        return g && g.me && g.me.mutedUntil ? T.mutedUntil(time(g.me.mutedUntil)) : T.mutedUntil('…');
      case 'slow_mode':
        return T.slowRetry(g ? g.slowModeSec : '');
      case 'rate_limited':
        return T.rateLimited;
      case 'blocked_word':
        return T.blocked;
      case 'closed':
        return T.closed;
      case 'forbidden':
      case 'not_found':
      case 'gone':
        return T.notMember;
      case 'invalid_body':
        return T.tooLong;
      default:
        return err.message || T.error;
    }
  }

  /** Sends every still-queued message of a group (not the failed ones: the member decides those). */
  function flush(groupId) {
    for (const [clientId, p] of queueOf(groupId)) if (!p.failed) void post(groupId, clientId, p);
  }

  async function recall(m) {
    try {
      const res = await ctx.api(`/v1/member/groups/${enc(m.groupId)}/messages/${enc(m.id)}/recall`, { method: 'POST' });
      if (!res.ok) {
        $('group-error').textContent = (await errorOf(res)).message || T.error;
        return;
      }
      const body = await res.json();
      if (body.message && thread) thread.messages.set(body.message.id, body.message);
      renderThread(false);
    } catch {
      $('group-error').textContent = T.error;
    }
  }

  /** The open thread, on screen and visible, has shown everything up to its newest message: say so (once per position). */
  function markRead() {
    clearTimeout(readTimer);
    readTimer = setTimeout(() => {
      if (!thread || !ctx || $('groups').hidden || $('group-thread').hidden || document.visibilityState !== 'visible') return;
      const g = groups.get(thread.id);
      const upTo = newestN();
      if (!g || !g.me || upTo <= g.me.readN) return;
      g.me.readN = upTo;
      renderList();
      void ctx.api(`/v1/member/groups/${enc(g.id)}/read`, Object.assign({ method: 'POST' }, json({ upTo }))).catch(() => {
        // Offline: the next read after the welcome says it again.
      });
    }, 300);
  }

  // ---------------------------------------------------------------------------------------------
  // The member's own settings: notifications off, leaving.

  async function setNotifications() {
    const g = thread && groups.get(thread.id);
    if (!g) return;
    const off = $('notif-off').checked;
    try {
      const res = await ctx.api(`/v1/member/groups/${enc(g.id)}`, Object.assign({ method: 'PATCH' }, json({ notificationsOff: off })));
      if (!res.ok) throw new Error('refused');
      const body = await res.json().catch(() => null);
      if (body && body.group) groups.set(g.id, body.group);
      else if (g.me) g.me.notificationsOff = off;
      $('thread-menu').dataset.saved = String(off);
    } catch {
      $('notif-off').checked = !off;
      $('group-error').textContent = T.error;
    }
    renderHead();
  }

  async function leave() {
    const g = thread && groups.get(thread.id);
    if (!g) return;
    if ($('leave-btn').dataset.confirm !== 'true') {
      // A second tap confirms: leaving anonymises the member's past messages.
      $('leave-btn').dataset.confirm = 'true';
      $('leave-btn').textContent = T.leaveConfirm;
      return;
    }
    try {
      const res = await ctx.api(`/v1/member/groups/${enc(g.id)}/leave`, { method: 'POST' });
      if (!res.ok) {
        $('group-error').textContent = (await errorOf(res)).message || T.error;
        return;
      }
    } catch {
      $('group-error').textContent = T.error;
      return;
    }
    gone(g.id, 'left');
    void loadList(); // a chain group left can be joined again from the list
  }

  function gone(groupId, reason) {
    const g = groups.get(groupId);
    groups.delete(groupId);
    if (thread && thread.id === groupId) closeThread();
    else renderList();
    if (g) $('groups-info').textContent = T.gone[reason](g.name);
  }

  // ---------------------------------------------------------------------------------------------
  // Live frames from app.js's member socket.

  function onFrame(f) {
    if (!ctx) return;
    switch (f.t) {
      case 'group.message': {
        const g = groups.get(f.groupId);
        if (g) {
          g.lastN = Math.max(g.lastN, f.message.n);
          g.lastAt = Math.max(g.lastAt || 0, f.message.at);
        }
        if (thread && thread.id === f.groupId) {
          const gap = f.message.n > newestN() + 1 && thread.messages.size > 0;
          thread.messages.set(f.message.id, f.message);
          settle(f.groupId, [f.message]);
          renderThread(false);
          if (gap) void catchUp(f.groupId);
        } else renderList();
        if (f.push && g && !(g.me && g.me.notificationsOff) && !(thread && thread.id === f.groupId && !$('groups').hidden)) toast(T.newAnnouncement(g.name));
        return;
      }
      case 'group.messageChanged':
        if (thread && thread.id === f.groupId && thread.messages.has(f.message.id)) {
          thread.messages.set(f.message.id, f.message);
          renderThread(false);
        }
        return;
      case 'group.updated':
        joinable = joinable.filter((g) => g.id !== f.group.id);
        if (f.group.me) groups.set(f.group.id, f.group);
        else {
          // No longer a member (the view says so): a chain group is offered again, a store's is not.
          groups.delete(f.group.id);
          if (f.group.scope === 'chain' && !f.group.closed) joinable.push(f.group);
        }
        if (thread && thread.id === f.group.id) {
          if (f.group.me) renderHead();
          else closeThread();
        }
        renderList();
        return;
      case 'group.gone':
        if (f.reason === 'closed' && groups.has(f.groupId)) {
          // A closed group stays readable: it stays listed, and its thread takes no more messages.
          groups.get(f.groupId).closed = true;
          if (thread && thread.id === f.groupId) renderHead();
          renderList();
        } else gone(f.groupId, f.reason);
        return;
    }
  }

  function toast(text) {
    $('group-toast').textContent = text;
    $('group-toast').hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => ($('group-toast').hidden = true), 6000);
  }

  /** After each socket welcome: what was missed while it was down, and the queued messages. */
  async function resync() {
    if (!ctx) return;
    await loadList();
    if (thread) await catchUp(thread.id);
    for (const id of groups.keys()) flush(id);
  }

  // Wiring of the static elements (index.html).
  $('tab-chat').addEventListener('click', () => showTab('chat'));
  $('tab-groups').addEventListener('click', () => showTab('groups'));
  $('group-join').addEventListener('submit', (e) => void join(e));
  $('join-cancel').addEventListener('click', closeJoin);
  $('thread-back').addEventListener('click', closeThread);
  $('group-composer').addEventListener('submit', compose);
  $('group-older').addEventListener('click', () => {
    if (!thread) return;
    const first = Math.min(...[...thread.messages.values()].map((m) => m.n));
    if (Number.isFinite(first)) void fetchPage(thread.id, `before=${first}&limit=${PAGE}`, 'older');
  });
  // A long notice shows three lines; a tap shows all of it.
  $('thread-notice').addEventListener('click', () => $('thread-notice').classList.toggle('open'));
  $('notif-off').addEventListener('change', () => void setNotifications());
  $('leave-btn').addEventListener('click', () => void leave());
  document.addEventListener('visibilitychange', markRead);
  window.addEventListener('online', () => void resync());

  return { start, hide, onFrame, resync, showTab };
})();

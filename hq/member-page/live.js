// Footfall live room, the viewer's page (6/8 part L4): /m/live.html?room=<id>[&store=<storeId>].
// Plain browser JavaScript, no build step (the CSP allows only HQ's own files).
//
// What it talks to (shared/live.ts is the contract):
// - the room socket /v1/live/socket: hello {roomId, token?, nickname?} → welcome, then comments,
//   reactions, viewer counts, the room, polls, questions and lotteries as they change; the viewer
//   sends comments, reactions, votes and questions on it;
// - GET /v1/live/rooms/{id}/product?store=S: the pinned product's card at the store the viewer chose;
// - GET /v1/live/stores: the chain's stores to choose from; GET …/lotteries/{id}/audit: the draw's audit;
// - the member session of the member page (POST /v1/member/session, token kept per store as app.js
//   does) and POST /v1/member/holds with source {kind:'live', id: roomId} for "reserve my size".
//
// Invariants:
// - Reading needs no sign-in: without a token the socket is a read-only viewer's; a member token
//   (and the nickname chosen here) lets the viewer write. Other viewers appear by nickname only;
//   nothing here shows or stores a member id.
// - Reactions are sent, never echoed one by one: what the page shows are the room's counts per
//   window as HQ aggregates them.
// - The socket reconnects with jittered exponential backoff (0.5 s doubling to 15 s), at once when
//   the network is back or the page is shown again; each welcome replaces the durable state.
// - "Check the draw" recomputes the lottery in this browser (live-draw.js) from the public audit.
/* global window, document, localStorage, sessionStorage, navigator, fetch, WebSocket, URL, URLSearchParams, crypto, setTimeout, clearTimeout, setInterval, FootfallLiveDraw */
'use strict';

(() => {
  const zh = !/^en/i.test(navigator.language || '');
  const T = zh
    ? {
        title: '直播间', scheduled: '即将开始', live: '直播中', ended: '已结束', viewers: (n) => `${n} 人在看`,
        startsAt: (t) => `开播时间：${t}`, startsIn: (s) => `距开播还有 ${s}`, startedAt: (t) => `${t} 开播`,
        endedAt: (t) => `直播已于 ${t} 结束。问答、投票结果和抽奖结果仍可查看。`, watch: '观看直播 ↗', pinned: '置顶',
        product: '主播推荐', store: '门店', sizesAt: (s) => `${s}有货尺码：`, noStock: '该门店暂无库存，可换一家门店看看。',
        reserve: '为我留一双', signInToReserve: '登录后可为您留一双', color: '颜色', size: '尺码', size_: (s) => `${s}码`,
        confirm: '确认留货', cancel: '取消', outOfStock: '这个颜色和尺码刚好没有了，请换一个。',
        held: (what, store, until) => `已在${store}为您留好 ${what}，保留至 ${until}。`, expected: (store) => `${store}已收到通知，会等您到店试穿。`,
        signInIntro: '登录会员后即可评论、提问、投票和留货。', signInStore: '会员所在门店', code: '会员卡号', phone: '手机号后四位',
        nick: '直播间昵称', nickHint: '其他观众只会看到您的昵称。', signIn: '登录', bad: '卡号或手机号不匹配', many: '尝试次数过多，请稍后再试',
        signedInAs: (n) => `您以「${n}」的身份参与互动。`, signOut: '退出登录', polls: '投票', votes: (n) => `${n} 人投票`, vote: '投票',
        myVote: '我的选择', pollClosed: '已结束', lotteries: '抽奖', prize: (p) => `奖品：${p}`, winners: '中奖者：', noWinners: '没有符合条件的观众',
        eligible: { commented: '评论过的观众', voted: '参与投票的观众', asked: '提过问的观众', joined: '进入直播间的会员' },
        eligibleLine: (who, n) => `${who}中抽取（共 ${n} 人）`, won: (p) => `恭喜您中奖了！奖品：${p}。店员会在一对一聊天中联系您。`, youWon: '您中奖了！',
        check: '验证抽奖', checking: '正在本机重新计算…', matches: '✓ 在您的浏览器中重新计算，结果与公布的中奖名单一致。',
        mismatch: '✗ 重新计算的结果与公布的中奖名单不一致。', checkFailed: '无法获取抽奖记录，请稍后再试。',
        comments: '评论', noComments: '还没有评论。', host: '主播', send: '发送', say: '说点什么…', signInToWrite: '登录后可发表评论',
        slow: (s) => `慢速模式：每 ${s} 秒可发一条评论。`, questions: '提问', noQuestions: '还没有已回答的问题。', ask: '提问', askPh: '向主播提问…',
        mine: '我的提问', waiting: '等待回答', onAir: '已在直播中回答', answer: '回答：', dismissed: '未被采纳',
        react: { like: '♥ 赞', fire: '火爆', clap: '鼓掌', wow: '惊艳' },
        refused: {
          slow_mode: '慢速模式开启中，请稍后再发。', rate_limited: '发送太频繁了，请稍后再发。', muted: '您已被主播禁言，暂时无法发言。',
          blocked_word: '内容含有不允许的词语，请修改后再发送。', closed: '直播未在进行中，暂时不能发言。', unauthorized: '请先登录会员。', ended: '直播已结束。',
        },
        reconnecting: '连接中断，正在重新连接…', connecting: '正在连接直播间…', noRoom: '链接缺少直播间（?room=）', gone: '找不到这个直播间。', error: '出错了，请稍后再试。',
        units: { d: '天', h: '小时', m: '分', s: '秒' },
      }
    : {
        title: 'Live room', scheduled: 'Coming up', live: 'Live', ended: 'Ended', viewers: (n) => `${n} watching`,
        startsAt: (t) => `Starts ${t}`, startsIn: (s) => `Starts in ${s}`, startedAt: (t) => `Live since ${t}`,
        endedAt: (t) => `Ended ${t}. Questions, poll results and lottery results stay readable.`, watch: 'Watch the stream ↗', pinned: 'Pinned',
        product: 'On show', store: 'Store', sizesAt: (s) => `In stock at ${s}: `, noStock: 'Nothing in stock at this store; try another one.',
        reserve: 'Reserve my size', signInToReserve: 'Sign in to reserve a pair', color: 'Colour', size: 'Size', size_: (s) => `EU ${s}`,
        confirm: 'Reserve it', cancel: 'Cancel', outOfStock: 'That colour and size just ran out; try another.',
        held: (what, store, until) => `Put aside at ${store}: ${what}, until ${until}.`, expected: (store) => `${store} has been told to expect you.`,
        signInIntro: 'Sign in as a member to comment, ask, vote and reserve.', signInStore: 'Your store', code: 'Card code', phone: 'Phone, last 4 digits',
        nick: 'Nickname in the room', nickHint: 'Other viewers see only this nickname.', signIn: 'Sign in', bad: 'Card code or phone do not match', many: 'Too many attempts, try again later',
        signedInAs: (n) => `You take part as “${n}”.`, signOut: 'Sign out', polls: 'Polls', votes: (n) => `${n} vote${n === 1 ? '' : 's'}`, vote: 'Vote',
        myVote: 'My vote', pollClosed: 'Closed', lotteries: 'Lottery', prize: (p) => `Prize: ${p}`, winners: 'Winners: ', noWinners: 'Nobody was eligible',
        eligible: { commented: 'viewers who commented', voted: 'viewers who voted', asked: 'viewers who asked', joined: 'members who joined' },
        eligibleLine: (who, n) => `Drawn among ${who} (${n})`, won: (p) => `You won! Prize: ${p}. The store will contact you in your chat.`, youWon: 'You won!',
        check: 'Check the draw', checking: 'Recomputing in your browser…', matches: '✓ Recomputed in your browser: the published winners match.',
        mismatch: '✗ Recomputed in your browser: the published winners do NOT match.', checkFailed: 'Could not fetch the draw record; try again later.',
        comments: 'Comments', noComments: 'No comments yet.', host: 'Host', send: 'Send', say: 'Say something…', signInToWrite: 'Sign in to comment',
        slow: (s) => `Slow mode: one comment every ${s} s.`, questions: 'Questions', noQuestions: 'No answered questions yet.', ask: 'Ask', askPh: 'Ask the host…',
        mine: 'My question', waiting: 'Waiting for an answer', onAir: 'Answered on air', answer: 'Answer: ', dismissed: 'Not taken up',
        react: { like: '♥ Like', fire: 'Fire', clap: 'Clap', wow: 'Wow' },
        refused: {
          slow_mode: 'Slow mode is on; send again in a moment.', rate_limited: 'Too many comments; send again in a moment.', muted: 'A host muted you for now.',
          blocked_word: 'That contains a word the room does not allow; please change it.', closed: 'The room is not live; writing is closed.', unauthorized: 'Sign in as a member first.', ended: 'The stream has ended.',
        },
        reconnecting: 'Connection lost, reconnecting…', connecting: 'Joining the room…', noRoom: 'The link has no room (?room=)', gone: 'This live room does not exist.', error: 'Something went wrong; try again later.',
        units: { d: 'd', h: 'h', m: 'min', s: 's' },
      };
  const COMMENTS_KEPT = 200;

  const $ = (id) => document.getElementById(id);
  const enc = encodeURIComponent;
  const params = new URLSearchParams(window.location.search);
  const roomId = params.get('room') || '';
  const linkStore = params.get('store') || '';

  let room = null; // LiveRoom (without createdBy)
  let storeName = '';
  let role = 'viewer';
  let nickname = null;
  const comments = []; // LiveComment, oldest first
  const polls = new Map(); // id -> LivePoll
  const questions = new Map(); // id -> LiveQuestionView
  const lotteries = new Map(); // id -> LiveLotteryView
  const reactionTotals = { like: 0, fire: 0, clap: 0, wow: 0 };
  let stores = []; // [{ id, name, city }]
  let card = null; // ProductCard at the chosen store
  let chosenStore = '';
  let ws = null;
  let welcomed = false;
  let attempt = 0;
  let reconnectTimer = null;
  let reserveClientId = null; // one per opened form: tapping twice is one hold

  // The member session, kept per store as the member page keeps it (sessionStorage `footfall.member.<storeId>`).
  let sessionStore = sessionStorage.getItem('footfall.live.store') || linkStore;
  let token = sessionStore ? sessionStorage.getItem(`footfall.member.${sessionStore}`) : null;
  const myVotes = JSON.parse(localStorage.getItem(`footfall.live.votes.${roomId}`) || '{}'); // pollId -> option

  // ---------------------------------------------------------------------------------------------
  // Small helpers.

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
  const hm = (ms) => {
    const d = new Date(ms);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  };
  const when = (ms) => `${new Date(ms).toLocaleDateString(zh ? 'zh-CN' : 'en', { month: 'short', day: 'numeric', weekday: 'short' })} ${hm(ms)}`;
  const day = (ms) => new Date(ms).toLocaleDateString(zh ? 'zh-CN' : 'en', { month: 'short', day: 'numeric', weekday: 'short' });
  function newClientId() {
    return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2)).replace(/[^A-Za-z0-9-]/g, '');
  }
  function neutralNickname() {
    const n = crypto.getRandomValues(new Uint16Array(1))[0] % 10000;
    return `${zh ? '观众' : 'Viewer '}${String(n).padStart(4, '0')}`;
  }
  function duration(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    const u = T.units;
    if (d) return `${d}${zh ? '' : ' '}${u.d} ${h}${zh ? '' : ' '}${u.h}`;
    if (h) return `${h}${zh ? '' : ' '}${u.h} ${m}${zh ? '' : ' '}${u.m}`;
    return `${m}${zh ? '' : ' '}${u.m} ${pad(s % 60)}${zh ? '' : ' '}${u.s}`;
  }
  async function api(path, init = {}) {
    const headers = Object.assign({}, init.headers || {});
    if (token && init.auth !== false) headers.authorization = `Bearer ${token}`;
    const res = await fetch(path, Object.assign({}, init, { headers }));
    if (res.status === 401 && token && path.startsWith('/v1/member/') && path !== '/v1/member/session') signOut();
    return res;
  }
  async function errorOf(res) {
    try {
      return (await res.json()).error || { code: String(res.status), message: '' };
    } catch {
      return { code: String(res.status), message: '' };
    }
  }
  const refusal = (code, message) => T.refused[code] || message || T.error;

  // ---------------------------------------------------------------------------------------------
  // Static texts.

  document.documentElement.lang = zh ? 'zh-CN' : 'en';
  document.title = T.title;
  const texts = {
    'room-title': T.title, 'pinned-label': T.pinned, 'product-title': T.product, 'l-store': T.store, 'l-color': T.color, 'l-size': T.size,
    'reserve-confirm': T.confirm, 'reserve-cancel': T.cancel, 'signin-intro': T.signInIntro, 'l-signin-store': T.signInStore, 'l-code': T.code,
    'l-phone': T.phone, 'l-nick': T.nick, 'nick-hint': T.nickHint, 'signin-btn': T.signIn, signout: T.signOut, 'polls-title': T.polls,
    'lotteries-title': T.lotteries, 'comments-title': T.comments, 'comment-send': T.send, 'questions-title': T.questions, 'ask-send': T.ask,
    'stream-link': T.watch,
  };
  for (const [id, text] of Object.entries(texts)) $(id).textContent = text;
  $('comment-text').placeholder = T.say;
  $('ask-text').placeholder = T.askPh;
  for (const b of document.querySelectorAll('.react')) {
    b.textContent = T.react[b.dataset.kind];
    b.setAttribute('aria-label', b.dataset.kind);
  }
  $('nick').value = localStorage.getItem('footfall.live.nickname') || neutralNickname();

  // ---------------------------------------------------------------------------------------------
  // The socket.

  function status(text) {
    $('link-status').textContent = text || '';
    $('link-status').hidden = !text;
  }

  function connect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (ws) return;
    const url = new URL('/v1/live/socket', window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url.toString());
    ws = socket;
    welcomed = false;
    socket.onopen = () => {
      const hello = { t: 'hello', v: 1, roomId };
      if (token) {
        hello.token = token;
        hello.nickname = localStorage.getItem('footfall.live.nickname') || $('nick').value.trim() || neutralNickname();
      }
      socket.send(JSON.stringify(hello));
    };
    socket.onmessage = (ev) => {
      if (ws !== socket) return;
      let f;
      try {
        f = JSON.parse(ev.data);
      } catch {
        return;
      }
      onFrame(f);
    };
    socket.onclose = (ev) => {
      if (ws !== socket) return;
      ws = null;
      welcomed = false;
      renderWriting();
      if (ev.code === 4001 && token) {
        // The member session is no longer valid: read on as an anonymous viewer.
        signOut();
        return;
      }
      if (ev.code === 4404) {
        fatal(T.gone);
        return;
      }
      status(room ? T.reconnecting : T.connecting);
      const delay = Math.min(15000, 500 * 2 ** attempt++) * (0.5 + Math.random() / 2);
      reconnectTimer = setTimeout(connect, delay);
    };
  }

  /** Reconnect now (network back, page shown again), or with a new identity (signed in or out). */
  function reconnect() {
    attempt = 0;
    const socket = ws;
    ws = null;
    if (socket) socket.close();
    connect();
  }
  window.addEventListener('online', () => !ws && reconnect());
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && !ws && reconnect());

  function send(frame) {
    if (!ws || !welcomed || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  function fatal(text) {
    $('fatal').textContent = text;
    $('fatal').hidden = false;
    $('room').hidden = true;
    status('');
  }

  function onFrame(f) {
    switch (f.t) {
      case 'welcome': {
        attempt = 0;
        welcomed = true;
        status('');
        const first = !room;
        room = f.room;
        storeName = f.storeName;
        role = f.role;
        nickname = f.nickname;
        comments.length = 0;
        comments.push(...f.comments);
        polls.clear();
        for (const p of f.polls) polls.set(p.id, p);
        questions.clear();
        for (const q of f.questions) questions.set(q.id, q);
        lotteries.clear();
        for (const l of f.lotteries) lotteries.set(l.id, l);
        setViewers(f.viewers);
        $('room').hidden = false;
        renderAll();
        // The sign-in store starts at the link's store, else the room's (the stores may have come first).
        if (first && !sessionStore && stores.some((s) => s.id === (linkStore || room.storeId))) $('signin-store').value = linkStore || room.storeId;
        if (first || (room.pinnedStyleId && (!card || card.styleId !== room.pinnedStyleId))) void loadProduct();
        return;
      }
      case 'comments':
        comments.push(...f.items);
        if (comments.length > COMMENTS_KEPT) comments.splice(0, comments.length - COMMENTS_KEPT);
        renderComments(true);
        return;
      case 'deleted': {
        const gone = new Set(f.ids);
        for (let i = comments.length - 1; i >= 0; i--) if (gone.has(comments[i].id)) comments.splice(i, 1);
        renderComments(false);
        return;
      }
      case 'reactions':
        showReactions(f.counts);
        return;
      case 'viewers':
        setViewers(f.n);
        return;
      case 'room': {
        const pinChanged = !room || room.pinnedStyleId !== f.room.pinnedStyleId;
        room = f.room;
        renderRoom();
        renderWriting();
        if (pinChanged) void loadProduct();
        return;
      }
      case 'poll':
        polls.set(f.poll.id, f.poll);
        renderPolls();
        return;
      case 'question':
        questions.set(f.question.id, f.question);
        renderQuestions();
        return;
      case 'lottery':
        lotteries.set(f.lottery.id, f.lottery);
        renderLotteries();
        return;
      case 'refused': {
        // A refused question goes back into its box; a refused comment too (the viewer may edit it).
        const pendingAsk = pending.get(f.clientId);
        if (pendingAsk) {
          pending.delete(f.clientId);
          const box = pendingAsk.kind === 'ask' ? 'ask-text' : 'comment-text';
          if (!$(box).value) $(box).value = pendingAsk.text;
          $(pendingAsk.kind === 'ask' ? 'ask-error' : 'comment-error').textContent = refusal(f.code, f.message);
        } else $('comment-error').textContent = refusal(f.code, f.message);
        return;
      }
      case 'error':
        if (f.code === 'not_found' || f.code === 'gone') return fatal(T.gone);
        // The member session expired or was revoked: read on as an anonymous viewer.
        if (f.code === 'unauthorized' && token) return signOut();
        $('comment-error').textContent = f.message || T.error;
        return;
      default:
    }
  }
  const pending = new Map(); // clientId -> { kind: 'comment' | 'ask', text }: what a refusal gives back

  // ---------------------------------------------------------------------------------------------
  // Rendering.

  function renderAll() {
    renderRoom();
    renderWriting();
    renderComments(true);
    renderPolls();
    renderQuestions();
    renderLotteries();
  }

  function setViewers(n) {
    $('room-sub').dataset.viewers = String(n);
    renderSub();
  }
  function renderSub() {
    if (!room) return;
    const n = Number($('room-sub').dataset.viewers || 0);
    $('room-sub').textContent = room.state === 'live' ? `${storeName} · ${T.viewers(n)}` : storeName;
  }

  function renderRoom() {
    $('room-title').textContent = room.title;
    document.title = `${room.title} · ${T.title}`;
    $('room-state').textContent = T[room.state];
    $('room-state').dataset.state = room.state;
    document.body.dataset.state = room.state;
    renderSub();
    $('room-desc').textContent = room.description || '';
    $('room-desc').hidden = !room.description;
    $('stream-link').href = room.streamUrl;
    $('stream-link').hidden = room.state === 'ended';
    renderWhen();
    $('pinned').hidden = !room.pinnedMessage;
    $('pinned-text').textContent = room.pinnedMessage || '';
    $('slow').hidden = !(room.slowModeSec > 0 && room.state === 'live');
    $('slow').textContent = T.slow(room.slowModeSec);
    $('product').hidden = !room.pinnedStyleId || !card;
  }

  function renderWhen() {
    if (!room) return;
    const line = $('room-when');
    if (room.state === 'scheduled') {
      const left = room.scheduledAt - Date.now();
      line.textContent = left > 0 ? `${T.startsIn(duration(left))} · ${T.startsAt(when(room.scheduledAt))}` : T.startsAt(when(room.scheduledAt));
    } else if (room.state === 'live') line.textContent = T.startedAt(hm(room.startedAt || room.scheduledAt));
    else line.textContent = T.endedAt(when(room.endedAt || Date.now()));
  }
  setInterval(renderWhen, 1000); // the countdown

  /** What the viewer may write: signed in (role member) and the room not ended. */
  function renderWriting() {
    const member = role === 'member' && !!token;
    const open = !!room && room.state !== 'ended';
    $('composer').hidden = !(member && open && room.state === 'live');
    $('ask').hidden = !(member && open && room.state === 'live'); // HQ takes questions while live
    $('reactions').hidden = !open;
    for (const b of document.querySelectorAll('.react')) b.disabled = !welcomed;
    $('signin').hidden = !!token || !room || room.state === 'ended';
    $('comment-hint').hidden = member || !open;
    $('comment-hint').textContent = room && room.state === 'scheduled' && member ? '' : T.signInToWrite;
    $('signed-in').hidden = !token || !nickname;
    $('signed-in-text').textContent = nickname ? T.signedInAs(nickname) : '';
    renderReserve();
  }

  function renderComments(scroll) {
    const list = $('comment-list');
    list.replaceChildren();
    for (const c of comments) {
      const li = el('li', `comment${c.host ? ' host' : ''}`);
      li.dataset.id = c.id;
      const who = el('span', 'who');
      if (c.host) who.append(el('span', 'host-badge', T.host));
      who.append(el('span', 'nick', c.nickname));
      li.append(who, el('span', 'text', c.text));
      list.append(li);
    }
    $('comments-empty').textContent = comments.length ? '' : T.noComments;
    if (scroll) list.scrollTop = list.scrollHeight;
  }

  /** Reaction counts of the last window: added to the totals on the buttons, and a short burst. */
  function showReactions(counts) {
    for (const b of document.querySelectorAll('.react')) {
      const k = b.dataset.kind;
      const n = counts[k] || 0;
      if (!n) continue;
      reactionTotals[k] += n;
      b.textContent = `${T.react[k]} ${reactionTotals[k]}`;
      b.classList.remove('burst');
      void b.offsetWidth; // restart the animation
      b.classList.add('burst');
    }
  }

  function renderPolls() {
    const list = $('poll-list');
    list.replaceChildren();
    const all = [...polls.values()].sort((a, b) => (a.state === b.state ? b.openedAt - a.openedAt : a.state === 'open' ? -1 : 1));
    for (const p of all) {
      const li = el('li', 'poll');
      li.dataset.pollId = p.id;
      li.dataset.state = p.state;
      const head = el('div', 'poll-head');
      head.append(el('strong', '', p.question), el('span', 'muted', p.state === 'closed' ? `${T.pollClosed} · ${T.votes(p.voters)}` : T.votes(p.voters)));
      li.append(head);
      const total = p.counts.reduce((a, b) => a + b, 0);
      const canVote = p.state === 'open' && role === 'member' && !!token && room && room.state !== 'ended';
      p.options.forEach((o, i) => {
        const n = p.counts[i] || 0;
        const pct = total ? Math.round((n * 100) / total) : 0;
        const row = el(canVote ? 'button' : 'div', 'option');
        if (canVote) {
          row.type = 'button';
          row.addEventListener('click', () => {
            myVotes[p.id] = i;
            localStorage.setItem(`footfall.live.votes.${roomId}`, JSON.stringify(myVotes));
            send({ t: 'vote', pollId: p.id, option: i });
            renderPolls();
          });
        }
        row.dataset.option = String(i);
        if (myVotes[p.id] === i) row.dataset.mine = 'true';
        const bar = el('span', 'bar');
        bar.style.width = `${pct}%`;
        row.append(bar, el('span', 'label', `${o}${myVotes[p.id] === i ? ` ✓` : ''}`), el('span', 'count', `${n} · ${pct}%`));
        li.append(row);
      });
      list.append(li);
    }
    $('polls').hidden = all.length === 0;
  }

  function renderQuestions() {
    const list = $('question-list');
    list.replaceChildren();
    // Answered ones and the viewer's own (HQ sends only those), in the queue's order.
    const all = [...questions.values()].filter((q) => q.status === 'answered' || q.mine).sort((a, b) => a.n - b.n);
    for (const q of all) {
      const li = el('li', `question${q.mine ? ' mine' : ''}`);
      li.dataset.status = q.status;
      const who = el('span', 'who');
      if (q.mine) who.append(el('span', 'mine-badge', T.mine));
      who.append(el('span', 'nick', q.nickname));
      li.append(who, el('p', 'q-text', q.text));
      if (q.status === 'answered') {
        if (q.answer) li.append(el('p', 'q-answer', `${T.answer}${q.answer}`));
        if (q.onAir) li.append(el('p', 'q-onair', T.onAir));
      } else li.append(el('p', 'q-wait muted', q.status === 'dismissed' ? T.dismissed : T.waiting));
      list.append(li);
    }
    $('questions-empty').textContent = all.length ? '' : T.noQuestions;
  }

  function renderLotteries() {
    const list = $('lottery-list');
    list.replaceChildren();
    const all = [...lotteries.values()].sort((a, b) => b.drawnAt - a.drawnAt);
    const won = all.filter((l) => l.won);
    $('won').hidden = won.length === 0;
    $('won').textContent = won.map((l) => T.won(l.prize)).join(' ');
    for (const l of all) {
      const li = el('li', `lottery${l.won ? ' won' : ''}`);
      li.dataset.lotteryId = l.id;
      li.append(el('strong', '', T.prize(l.prize)));
      li.append(el('span', 'muted', `${T.eligibleLine(T.eligible[l.eligibility] || l.eligibility, l.eligibleCount)} · ${hm(l.drawnAt)}`));
      const w = el('p', 'winners');
      w.append(el('span', '', l.winners.length ? T.winners : T.noWinners));
      for (const x of l.winners) w.append(el('span', 'winner', x.nickname));
      li.append(w);
      if (l.won) li.append(el('p', 'you-won', T.youWon));
      const result = el('p', 'check-result');
      result.setAttribute('role', 'status');
      const check = button('link check', T.check, () => void checkDraw(l, result, check));
      li.append(check, result);
      list.append(li);
    }
    $('lotteries').hidden = all.length === 0;
  }

  /** Fetches the audit and recomputes the draw here (live-draw.js), then says whether it matches. */
  async function checkDraw(l, result, btn) {
    btn.disabled = true;
    result.dataset.ok = '';
    result.textContent = T.checking;
    try {
      const res = await fetch(`/v1/live/rooms/${enc(roomId)}/lotteries/${enc(l.id)}/audit`);
      if (!res.ok) throw new Error(String(res.status));
      const audit = await res.json();
      const r = await FootfallLiveDraw.checkAudit(audit);
      // The audit must also be the draw this page shows.
      const same = audit.lottery.seed === l.seed && r.published.join() === l.winners.map((w) => w.ref).join();
      result.dataset.ok = String(r.ok && same);
      result.textContent = r.ok && same ? T.matches : T.mismatch;
    } catch {
      result.dataset.ok = 'false';
      result.textContent = T.checkFailed;
    } finally {
      btn.disabled = false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writing: comments, reactions, questions.

  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('comment-text').value.trim();
    if (!text) return;
    $('comment-error').textContent = '';
    const clientId = newClientId();
    if (!send({ t: 'comment', clientId, text })) {
      $('comment-error').textContent = T.reconnecting;
      return;
    }
    pending.set(clientId, { kind: 'comment', text });
    $('comment-text').value = '';
  });

  // Reactions are tapped fast: at most 10 a second leave this page (HQ closes a socket past 30 frames/s).
  let reactTimes = [];
  for (const b of document.querySelectorAll('.react'))
    b.addEventListener('click', () => {
      const now = Date.now();
      reactTimes = reactTimes.filter((t) => now - t < 1000);
      if (reactTimes.length >= 10) return;
      reactTimes.push(now);
      send({ t: 'react', kind: b.dataset.kind });
    });

  $('ask').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('ask-text').value.trim();
    if (!text) return;
    $('ask-error').textContent = '';
    const clientId = newClientId();
    if (!send({ t: 'ask', clientId, text })) {
      $('ask-error').textContent = T.reconnecting;
      return;
    }
    pending.set(clientId, { kind: 'ask', text });
    $('ask-text').value = '';
  });

  // ---------------------------------------------------------------------------------------------
  // Signing in (the member page's session, per store) and out.

  $('signin').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('signin-error').textContent = '';
    const storeId = $('signin-store').value || linkStore || (room && room.storeId) || '';
    const nick = $('nick').value.trim() || neutralNickname();
    let res;
    try {
      res = await api('/v1/member/session', { method: 'POST', auth: false, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ storeId, memberCode: $('code').value.trim(), phoneLast4: $('phone').value.trim() }) });
    } catch {
      $('signin-error').textContent = T.error;
      return;
    }
    if (!res.ok) {
      $('signin-error').textContent = res.status === 429 ? T.many : T.bad;
      return;
    }
    token = (await res.json()).token;
    sessionStore = storeId;
    sessionStorage.setItem(`footfall.member.${storeId}`, token);
    sessionStorage.setItem('footfall.live.store', storeId);
    localStorage.setItem('footfall.live.nickname', nick);
    $('code').value = '';
    $('phone').value = '';
    chosenStore = storeId; // "reserve my size" starts at the member's own store
    $('store-select').value = storeId;
    reconnect();
    void loadProduct();
  });

  function signOut() {
    if (sessionStore) sessionStorage.removeItem(`footfall.member.${sessionStore}`);
    sessionStorage.removeItem('footfall.live.store');
    token = null;
    role = 'viewer';
    nickname = null;
    reconnect();
    renderWriting();
    renderPolls();
  }
  $('signout').addEventListener('click', signOut);

  // ---------------------------------------------------------------------------------------------
  // The pinned product and "reserve my size".

  async function loadStores() {
    try {
      const res = await fetch('/v1/live/stores');
      if (!res.ok) return;
      stores = (await res.json()).stores;
    } catch {
      return;
    }
    for (const id of ['store-select', 'signin-store']) {
      const s = $(id);
      s.replaceChildren();
      for (const st of stores) {
        const o = el('option', '', st.city ? `${st.name}（${st.city}）` : st.name);
        if (!zh && st.city) o.textContent = `${st.name} (${st.city})`;
        o.value = st.id;
        s.append(o);
      }
    }
    const initial = chosenStore || sessionStore || linkStore || (room && room.storeId) || '';
    if (initial) $('store-select').value = initial;
    $('signin-store').value = sessionStore || linkStore || (room && room.storeId) || (stores[0] && stores[0].id) || '';
  }

  $('store-select').addEventListener('change', () => {
    chosenStore = $('store-select').value;
    void loadProduct();
  });

  const storeLabel = (id) => (stores.find((s) => s.id === id) || { name: id === (room && room.storeId) ? storeName : '' }).name;

  let productSeq = 0;
  async function loadProduct() {
    if (!room) return;
    const seq = ++productSeq;
    $('reserve-form').hidden = true;
    if (!room.pinnedStyleId) {
      card = null;
      renderRoom();
      return;
    }
    if (!chosenStore) chosenStore = sessionStore || linkStore || room.storeId;
    let res;
    try {
      res = await fetch(`/v1/live/rooms/${enc(roomId)}/product?store=${enc(chosenStore)}`);
    } catch {
      return;
    }
    if (seq !== productSeq) return; // another store was chosen meanwhile
    if (!res.ok) {
      card = null;
      renderRoom();
      return;
    }
    const body = await res.json();
    card = body.card || body.product || body;
    if ($('store-select').value !== chosenStore && stores.some((s) => s.id === chosenStore)) $('store-select').value = chosenStore;
    renderProduct();
    renderRoom();
  }

  function renderProduct() {
    if (!card) return;
    $('product').dataset.styleId = card.styleId;
    $('product-name').textContent = card.name;
    $('product-price').textContent = price(card.price);
    const where = storeLabel(chosenStore);
    $('product-sizes').textContent = card.sizes.length ? `${T.sizesAt(where)}${card.sizes.map((s) => (zh ? s.size : s.size)).join(' · ')}` : T.noStock;
    $('product-sizes').dataset.empty = String(!card.sizes.length);
    void loadPicture();
    renderReserve();
  }

  let pictureUrl = null;
  /** The style's picture: served to a member session (or a desk), so only once signed in. */
  async function loadPicture() {
    const id = card && card.image && card.image.id;
    if (!id || !token) {
      $('product-pic').hidden = true;
      return;
    }
    try {
      const res = await api(`/v1/style-images/${enc(id)}`);
      if (!res.ok) return;
      if (pictureUrl) URL.revokeObjectURL(pictureUrl);
      pictureUrl = URL.createObjectURL(await res.blob());
      $('product-pic').src = pictureUrl;
      $('product-pic').alt = card.name;
      $('product-pic').hidden = false;
    } catch {
      // The card shows without its picture.
    }
  }

  function renderReserve() {
    const b = $('reserve-btn');
    const ended = !room || room.state === 'ended';
    b.hidden = ended;
    if (!token) {
      b.textContent = T.signInToReserve;
      b.disabled = false;
      b.dataset.action = 'signin';
      return;
    }
    b.textContent = T.reserve;
    b.dataset.action = 'reserve';
    b.disabled = !card || !card.sizes.length || !card.colors.length;
  }

  $('reserve-btn').addEventListener('click', () => {
    if (!token) {
      $('signin').scrollIntoView({ block: 'start', behavior: 'smooth' });
      $('code').focus();
      return;
    }
    if (!card) return;
    reserveClientId = null;
    $('reserve-result').textContent = '';
    const colors = $('color-select');
    colors.replaceChildren();
    for (const c of card.colors) {
      const o = el('option', '', c.name);
      o.value = c.code;
      colors.append(o);
    }
    const sizes = $('size-select');
    sizes.replaceChildren();
    for (const s of card.sizes) {
      const o = el('option', '', T.size_(s.size));
      o.value = String(s.size);
      sizes.append(o);
    }
    $('reserve-form').hidden = false;
  });
  $('reserve-cancel').addEventListener('click', () => ($('reserve-form').hidden = true));

  $('reserve-confirm').addEventListener('click', async () => {
    if (!card || !token) return;
    reserveClientId = reserveClientId || newClientId();
    const storeId = chosenStore;
    const body = { clientId: reserveClientId, storeId, styleId: card.styleId, color: $('color-select').value, size: Number($('size-select').value), source: { kind: 'live', id: roomId } };
    const result = $('reserve-result');
    for (const b of $('reserve-form').querySelectorAll('button')) b.disabled = true;
    try {
      const res = await api('/v1/member/holds', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) {
        const err = await errorOf(res);
        result.dataset.ok = 'false';
        result.textContent = err.code === 'out_of_stock' ? T.outOfStock : err.message || T.error;
        if (err.code === 'out_of_stock') {
          reserveClientId = null; // another pair is another hold
          void loadProduct();
        }
        return;
      }
      const r = await res.json();
      const h = r.hold;
      const where = h.storeName || storeLabel(storeId);
      const what = zh ? `${h.styleName} · ${h.colorName} · ${h.size}码` : `${h.styleName} · ${h.colorName} · EU ${h.size}`;
      result.dataset.ok = 'true';
      result.textContent = `${T.held(what, where, day(h.until))}${r.expected ? ` ${T.expected(where)}` : ''}`;
      $('reserve-form').hidden = true;
      reserveClientId = null;
    } catch {
      result.dataset.ok = 'false';
      result.textContent = T.error;
    } finally {
      for (const b of $('reserve-form').querySelectorAll('button')) b.disabled = false;
    }
  });

  // ---------------------------------------------------------------------------------------------
  // Start: the stores (for the product and the sign-in), then the room on its socket.

  if (!roomId || !/^[A-Za-z0-9_-]{1,64}$/.test(roomId)) fatal(T.noRoom);
  else {
    status(T.connecting);
    void loadStores();
    connect();
  }
})();

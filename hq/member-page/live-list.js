// Footfall member page: the "Live" entry (6/8 part L4). Lists the store's upcoming and live rooms
// (GET /v1/live/rooms?store=S, no session needed) with a link to the viewer's page
// /m/live.html?room=ID&store=S and the room's QR (GET /v1/live/rooms/{id}/qr.svg) to pass on.
// Shown signed in or not: reading a room needs no sign-in. Plain browser JavaScript, no build step.
/* global window, document, navigator, fetch, URLSearchParams */
'use strict';

window.FootfallLiveList = (() => {
  const zh = !/^en/i.test(navigator.language || '');
  const T = zh
    ? { title: '直播', live: '直播中', at: (t) => `${t} 开播`, qr: '二维码', open: '进入' }
    : { title: 'Live', live: 'Live now', at: (t) => `Starts ${t}`, qr: 'QR code', open: 'Open' };
  const enc = encodeURIComponent;
  const pad = (n) => String(n).padStart(2, '0');
  const when = (ms) => {
    const d = new Date(ms);
    return `${d.toLocaleDateString(zh ? 'zh-CN' : 'en', { month: 'short', day: 'numeric', weekday: 'short' })} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  };
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /** Loads and shows the store's rooms that are live or still to come; the section stays hidden when there are none. */
  async function load() {
    const storeId = new URLSearchParams(window.location.search).get('store') || '';
    const section = document.getElementById('live');
    if (!storeId || !section) return;
    let rooms = [];
    try {
      const res = await fetch(`/v1/live/rooms?store=${enc(storeId)}`);
      if (!res.ok) return;
      rooms = (await res.json()).rooms || [];
    } catch {
      return; // HQ unreachable: the chat says so; the list comes with the next load
    }
    const shown = rooms
      .filter((r) => r.state !== 'ended')
      .sort((a, b) => (a.state === b.state ? a.scheduledAt - b.scheduledAt : a.state === 'live' ? -1 : 1));
    document.getElementById('live-title').textContent = T.title;
    const list = document.getElementById('live-rooms');
    list.replaceChildren();
    for (const r of shown) {
      const li = el('li', 'live-room');
      li.dataset.roomId = r.id;
      li.dataset.state = r.state;
      const a = el('a', '', r.title);
      a.href = `/m/live.html?room=${enc(r.id)}&store=${enc(storeId)}`;
      li.append(a, el('span', 'live-when', r.state === 'live' ? `● ${T.live}` : T.at(when(r.scheduledAt))));
      const qr = el('details');
      qr.append(el('summary', '', T.qr));
      const img = el('img');
      img.alt = `${T.qr}: ${r.title}`;
      img.width = 160;
      img.height = 160;
      img.src = `/v1/live/rooms/${enc(r.id)}/qr.svg`;
      qr.append(img);
      li.append(qr);
      list.append(li);
    }
    section.hidden = shown.length === 0;
  }

  return { load };
})();

// Footfall member page: the pairs put aside for the member (issue 14, part C). Reads
// GET /v1/member/holds with the member's token (the chat page's) and lists what, where and until
// when, at every store of the chain. Plain browser JavaScript, no build step.
/* global document, navigator, fetch, sessionStorage, URLSearchParams, window */
'use strict';

window.FootfallHolds = (() => {
  const zh = !/^en/i.test(navigator.language || '');
  const T = zh ? { title: '为您保留的鞋款', until: '保留至', size: '码', none: '' } : { title: 'Put aside for you', until: 'until', size: 'size', none: '' };
  const day = (ms) => new Date(ms).toLocaleDateString(zh ? 'zh-CN' : 'en', { month: 'short', day: 'numeric', weekday: 'short' });

  /** Loads and shows the member's active holds; the section stays hidden when there are none. */
  async function load() {
    const storeId = new URLSearchParams(window.location.search).get('store') || '';
    const token = sessionStorage.getItem(`footfall.member.${storeId}`);
    const section = document.getElementById('holds');
    if (!token || !section) return;
    let holds = [];
    try {
      const res = await fetch('/v1/member/holds', { headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) return;
      holds = (await res.json()).holds;
    } catch {
      return; // HQ unreachable: the chat page says so; holds come with the next load
    }
    document.getElementById('holds-title').textContent = T.title;
    const list = document.getElementById('hold-list');
    list.textContent = '';
    for (const h of holds) {
      const li = document.createElement('li');
      li.className = 'hold';
      const what = document.createElement('strong');
      what.textContent = zh ? `${h.styleName} · ${h.colorName} · ${h.size}${T.size}` : `${h.styleName} · ${h.colorName} · ${T.size} ${h.size}`;
      const where = document.createElement('span');
      where.className = 'hold-where';
      where.textContent = `${h.storeName}${h.city ? ` (${h.city})` : ''} · ${T.until} ${day(h.until)}`;
      li.append(what, where);
      list.append(li);
    }
    section.hidden = holds.length === 0;
  }

  return { load };
})();

// The member page's unsent messages, kept in localStorage (one key per store + member) so a reload,
// a closed tab or a crashed browser does not lose them: app.js loads them at start, shows them as
// sending and resends them with the same clientIds (HQ dedupes by clientId, so never twice).
// Plain browser JavaScript, loaded before app.js; defines `FootfallOutbox` on the global object.
// Unit-tested in Node (test/unit/member-page-queue.test.ts) by running this file in a vm context.
'use strict';

(function (root) {
  const CLIENT_ID = /^[A-Za-z0-9_-]{8,64}$/;

  /** localStorage key of a member's queue at one store. */
  function key(storeId, memberId) {
    return `footfall.member.outbox.${storeId}.${memberId}`;
  }

  /** A stored entry, or null if it is not one this page wrote (another version, hand-edited). */
  function entry(raw) {
    if (!raw || typeof raw !== 'object' || typeof raw.at !== 'number') return null;
    const base = { at: raw.at, failed: raw.failed === true };
    if (typeof raw.text === 'string' && raw.text.length > 0 && raw.text.length <= 2000) return Object.assign(base, { text: raw.text });
    if (typeof raw.imageId === 'string' && raw.imageId.length > 0) return Object.assign(base, { imageId: raw.imageId });
    return null;
  }

  /** The queue in send order: [[clientId, {text | imageId, at, failed}], …]. Garbage is skipped. */
  function load(storage, storeId, memberId) {
    let list;
    try {
      list = JSON.parse(storage.getItem(key(storeId, memberId)) || '[]');
    } catch {
      return [];
    }
    if (!Array.isArray(list)) return [];
    const out = [];
    for (const item of list) {
      if (!Array.isArray(item) || typeof item[0] !== 'string' || !CLIENT_ID.test(item[0])) continue;
      const e = entry(item[1]);
      if (e && !out.some(([id]) => id === item[0])) out.push([item[0], e]);
    }
    return out;
  }

  /** Writes the queue (a Map clientId → entry, in send order); an empty queue removes the key. */
  function save(storage, storeId, memberId, pending) {
    const list = [];
    for (const [clientId, p] of pending) {
      const e = entry(p);
      if (e) list.push([clientId, e]);
    }
    try {
      if (list.length === 0) storage.removeItem(key(storeId, memberId));
      else storage.setItem(key(storeId, memberId), JSON.stringify(list));
      return true;
    } catch {
      return false; // storage full or disabled (private mode): the queue lives in page memory only
    }
  }

  /** Drops from the queue what HQ already has (the member's confirmed messages, by clientId). */
  function settle(pending, confirmed) {
    let changed = false;
    for (const m of confirmed) {
      if (m.from === 'member' && pending.delete(m.clientId)) changed = true;
    }
    return changed;
  }

  root.FootfallOutbox = { key, load, save, settle };
})(globalThis);

// Footfall member page: "My choices" (7/8, PIPL Art. 24) — the member's own consent, one switch per
// purpose, each with the line that says what it is for. Reads GET /v1/member/consents and sends
// each change at once with PUT /v1/member/consents; a switch HQ did not take goes back and says so.
// Plain browser JavaScript, no build step.
/* global document, navigator, fetch, sessionStorage, URLSearchParams, window */
'use strict';

window.FootfallConsents = (() => {
  const zh = !/^en/i.test(navigator.language || '');
  const T = zh
    ? {
        title: '我的授权',
        intro: '您可以随时更改，立即生效。',
        personalization: '个性化推荐',
        personalizationHint: '根据您的尺码和购买记录为您推荐鞋款和搭配。关闭后，店员看到的是本店热销款。',
        marketing: '优惠与活动通知',
        marketingHint: '接收门店的优惠、新品和社群公告。',
        contact: '允许店员联系我',
        contactHint: '您的尺码到货或有适合您的新品时，店员可以在聊天中联系您。',
        failed: '未能保存，请稍后再试',
        saved: '已保存',
      }
    : {
        title: 'My choices',
        intro: 'Change them at any time; they apply at once.',
        personalization: 'Personalised suggestions',
        personalizationHint: 'Styles and add-ons suggested from your size and what you bought. Off: the clerk sees what sells well in the store.',
        marketing: 'Offers and announcements',
        marketingHint: 'The store’s offers, new arrivals and group announcements.',
        contact: 'A clerk may contact me',
        contactHint: 'A clerk may message you in chat when your size arrives or a new style suits you.',
        failed: 'Not saved, please try again later',
        saved: 'Saved',
      };
  const PURPOSES = ['personalization', 'marketing', 'contact'];

  const tokenOf = () => sessionStorage.getItem(`footfall.member.${new URLSearchParams(window.location.search).get('store') || ''}`);
  const $ = (id) => document.getElementById(id);

  async function put(purpose, on) {
    const token = tokenOf();
    const res = await fetch('/v1/member/consents', {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ [purpose]: on }),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return (await res.json()).consents;
  }

  /** Loads the member's choices and shows the switches; the section stays hidden when HQ cannot be asked. */
  async function load() {
    const token = tokenOf();
    const section = $('my-choices');
    if (!token || !section) return;
    let consents;
    try {
      const res = await fetch('/v1/member/consents', { headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) return;
      consents = (await res.json()).consents;
    } catch {
      return; // HQ unreachable: the choices come with the next load
    }
    $('my-choices-title').textContent = T.title;
    $('my-choices-intro').textContent = T.intro;
    const list = $('choice-list');
    list.textContent = '';
    const status = $('choices-status');
    for (const purpose of PURPOSES) {
      const li = document.createElement('li');
      li.className = 'choice';
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.setAttribute('role', 'switch');
      input.id = `choice-${purpose}`;
      input.dataset.purpose = purpose;
      input.checked = consents[purpose] === true;
      const name = document.createElement('span');
      name.className = 'choice-name';
      name.textContent = T[purpose];
      label.append(name, input);
      const hint = document.createElement('p');
      hint.className = 'choice-hint';
      hint.id = `choice-${purpose}-hint`;
      hint.textContent = T[`${purpose}Hint`];
      input.setAttribute('aria-describedby', hint.id);
      input.addEventListener('change', async () => {
        const want = input.checked;
        input.disabled = true;
        status.textContent = '';
        try {
          const now = await put(purpose, want);
          input.checked = now[purpose] === true;
          status.textContent = T.saved;
          status.dataset.state = 'saved';
        } catch {
          input.checked = !want;
          status.textContent = T.failed;
          status.dataset.state = 'failed';
        } finally {
          input.disabled = false;
        }
      });
      li.append(label, hint);
      list.append(li);
    }
    section.hidden = false;
  }

  return { load };
})();

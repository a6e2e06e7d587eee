/*! OnSale box office widget — loader v1.
 * <script src="https://gateway.example/widget/v1/loader.js" data-venue="royal-hall" data-performance="1001" async></script>
 * Creates the box office iframe right after this tag (or inside data-target), says hello to it, sizes it to its
 * content, and re-emits its news as DOM events `onsale:state` and `onsale:purchase` that bubble to document. */
(() => {
  'use strict';
  const PATH = '/widget/v1/loader.js';
  const FALLBACK_MS = 15000;

  const current = document.currentScript;
  const script = current && current.src && current.src.includes(PATH)
    ? current
    : [...document.querySelectorAll(`script[src*="${PATH}"]`)].filter((s) => !s.dataset.onsaleMounted).pop();
  if (!script || script.dataset.onsaleMounted) {
    return;
  }
  script.dataset.onsaleMounted = 'true';

  const warn = (text) => console.warn(`[OnSale widget] ${text}`);
  let src;
  try {
    src = new URL(script.src, document.baseURI);
  } catch {
    warn('cannot read the address of loader.js');
    return;
  }

  // The gateway: this script's origin, plus any path prefix it is served under.
  const gatewayOrigin = src.origin;
  const base = gatewayOrigin + src.pathname.slice(0, src.pathname.lastIndexOf(PATH));
  const data = script.dataset;
  if (!data.venue || !data.performance) {
    warn('the script tag needs data-venue and data-performance; the box office will explain what is missing.');
  }

  const purchaseInHash = () => {
    const m = /(?:^#|&)onsale-purchase=([A-Za-z0-9_-]{1,64})(?:&|$)/.exec(location.hash);
    return m ? m[1] : null;
  };
  const params = new URLSearchParams({
    venue: data.venue || '',
    performance: data.performance || '',
    host: location.origin,
    page: location.href.split('#')[0],
  });
  const purchase = purchaseInHash();
  if (purchase) {
    params.set('purchase', purchase);
  }
  if (data.identity) {
    params.set('identity', data.identity); // the venue's signed identity of the buyer, for hot on-sales
  }
  const frameUrl = `${base}/widget/v1/frame?${params}`;

  const box = document.createElement('div');
  box.className = 'onsale-widget';
  box.dataset.venue = data.venue || '';
  box.dataset.performance = data.performance || '';
  const frame = document.createElement('iframe');
  frame.src = frameUrl;
  frame.title = data.title || 'Box office: choose and buy tickets';
  // CSSOM properties, not a style attribute: a venue page with a strict style-src still allows these.
  Object.assign(frame.style, { width: '100%', minWidth: '0', height: '420px', border: '0', display: 'block', colorScheme: 'normal' });
  box.append(frame);

  // The first word to the frame, on every load of it: its event.origin tells the frame who embeds it (a frame given
  // no host trusts no parent before this). A refused frame is an error page of another origin: nothing is delivered.
  frame.addEventListener('load', () => frame.contentWindow && frame.contentWindow.postMessage({ type: 'onsale:hello' }, gatewayOrigin));

  const note = document.createElement('p');
  note.setAttribute('role', 'status');
  note.hidden = true;
  box.append(note);

  const place = () => {
    let target = null;
    if (data.target) {
      try {
        target = document.querySelector(data.target);
      } catch {
        target = null;
      }
      target = target || document.getElementById(data.target);
      if (!target) {
        warn(`data-target "${data.target}" matches no element; the box office goes after its script tag.`);
      }
    }
    if (target) {
      target.append(box);
    } else if (script.parentNode && script.parentNode !== document.head && document.body && document.body.contains(script)) {
      script.after(box);
    } else {
      document.body.append(box); // a tag in <head> would put the frame where nothing is drawn
    }
  };
  if (document.body) {
    place();
  } else {
    document.addEventListener('DOMContentLoaded', place, { once: true });
  }

  // Without a word from the frame the buyer would face an empty box: say so, and offer the box office in a tab.
  let heard = false;
  const fallback = setTimeout(() => {
    if (heard) {
      return;
    }
    note.textContent = 'The box office has not loaded. Check your connection, or ';
    const link = document.createElement('a');
    link.href = frameUrl;
    link.target = '_blank';
    link.rel = 'noopener';
    link.textContent = 'open the box office in a new tab';
    note.append(link, '.');
    note.hidden = false;
    warn(`no answer from ${frameUrl}. If you run this site: check that data-venue "${data.venue}" is configured on the gateway ` +
      `with ${location.origin} among Gateway:Venues:${data.venue}:Origins; open that address to read the gateway's explanation.`);
  }, FALLBACK_MS);

  const emit = (type, detail) => {
    const event = new CustomEvent(type, { bubbles: true, detail: detail && typeof detail === 'object' ? { ...detail } : {} });
    // One dispatch: it bubbles from the widget through the script's parent (and every ancestor) up to document.
    (box.isConnected ? box : document).dispatchEvent(event);
  };

  window.addEventListener('message', (event) => {
    if (event.origin !== gatewayOrigin || event.source !== frame.contentWindow) {
      return;
    }
    const message = event.data;
    if (!message || typeof message !== 'object' || typeof message.type !== 'string') {
      return;
    }
    if (!heard) {
      heard = true;
      clearTimeout(fallback);
      note.hidden = true;
    }
    if (message.type === 'onsale:resize') {
      const height = Number(message.height);
      if (Number.isFinite(height) && height > 0) {
        frame.style.height = `${Math.min(Math.ceil(height), 20000)}px`;
      }
    } else if (message.type === 'onsale:state' || message.type === 'onsale:purchase') {
      emit(message.type, message.detail);
    }
  });

  // "Come back later" links end in #onsale-purchase={id}; following one on an open page shows that purchase.
  window.addEventListener('hashchange', () => {
    const id = purchaseInHash();
    if (id && frame.contentWindow) {
      frame.contentWindow.postMessage({ type: 'onsale:open-purchase', purchaseId: id }, gatewayOrigin);
    }
  });
})();

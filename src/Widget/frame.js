/*! OnSale box office widget — frame app v1. Plain ES2020, no build step, no dependencies.
 * Runs inside the iframe the loader creates (or any iframe at /widget/v1/frame?venue=…&performance=…); talks to the
 * gateway's /api/v1 (same origin) and to the embedding page only through postMessage with targetOrigin = the page's
 * origin, once it knows it. */
(() => {
  'use strict';

  // ---------------------------------------------------------------------------------------------------------------
  // Configuration and environment

  const viewEl = document.getElementById('view');
  const noticesEl = document.getElementById('notices');
  const announceEl = document.getElementById('announce');
  let config = null;
  try {
    config = JSON.parse(document.getElementById('config').textContent);
  } catch {
    config = null;
  }
  if (!config || typeof config.performanceId !== 'number' || !Array.isArray(config.origins)) {
    viewEl.textContent = 'The box office could not start: its settings are missing. Please reload the page.';
    return;
  }

  const PERF = config.performanceId;
  const API = config.api || '/api/v1';
  const framed = window.parent !== window;
  // The page around us is learnt, never assumed, and must be one of the venue's origins: from host when the loader
  // gave one (the gateway checked it), otherwise from the loader's hello (its event.origin). Where the browser names
  // our parent itself (ancestorOrigins; not in Firefox), what we learn must agree with it. It alone is not enough to
  // start posting: only a page with a script hears us, and that script can say hello, in every browser alike.
  const ancestors = location.ancestorOrigins;
  const ancestor = framed && ancestors && ancestors.length > 0 ? ancestors[0] : null;
  const trusted = (origin) => typeof origin === 'string' && config.origins.includes(origin) && (!ancestor || origin === ancestor);
  const hostOk = !framed || config.host == null || trusted(config.host);
  let parentOrigin = framed && hostOk && config.host != null ? config.host : null;

  // ---------------------------------------------------------------------------------------------------------------
  // Small helpers

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value == null || value === false) {
        continue;
      }
      if (key === 'class') {
        el.className = value;
      } else if (key.startsWith('on')) {
        el.addEventListener(key.slice(2), value);
      } else if (key === 'value' || key === 'checked' || key === 'selected' || key === 'disabled' || key === 'readOnly') {
        el[key] = value;
      } else {
        el.setAttribute(key, value === true ? '' : String(value));
      }
    }
    for (const child of children.flat(Infinity)) {
      if (child != null && child !== false && child !== '') {
        el.append(child instanceof Node ? child : String(child)); // text, never HTML
      }
    }
    return el;
  }

  const store = (() => {
    // Best effort only: storage in a third-party frame may be blocked or partitioned; tokens live in memory anyway.
    const prefix = `onsale:${config.venue}:${PERF}:`;
    return {
      get(key) {
        try {
          const value = window.sessionStorage.getItem(prefix + key);
          return value ? JSON.parse(value) : null;
        } catch {
          return null;
        }
      },
      set(key, value) {
        try {
          if (value == null) {
            window.sessionStorage.removeItem(prefix + key);
          } else {
            window.sessionStorage.setItem(prefix + key, JSON.stringify(value));
          }
        } catch {
          // blocked: memory only
        }
      },
    };
  })();

  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') {
      return window.crypto.randomUUID();
    }
    // randomUUID needs a secure context; getRandomValues does not.
    const b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  }

  // The server's clock, from its Date header: countdowns use it so that a wrong buyer clock cannot lie.
  let skew = 0;
  const serverNow = () => Date.now() + skew;
  const local = (iso) => Date.parse(iso) - skew;

  const moneyFormat = (() => {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: config.currency || 'GBP' });
    } catch {
      return new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
  })();
  const money = (cents) => moneyFormat.format((Number(cents) || 0) / 100);
  const count = (n) => new Intl.NumberFormat().format(n);
  const clock = (t) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const clockSeconds = (t) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const dateTime = (t) => new Date(t).toLocaleString([], { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

  function countdownText(ms, long, short) {
    const s = Math.max(0, Math.ceil(ms / 1000));
    if (short && s < 60) {
      return `${s} s`;
    }
    const d = Math.floor(s / 86400);
    const hh = Math.floor((s % 86400) / 3600);
    const mm = Math.floor((s % 3600) / 60);
    const ss = String(s % 60).padStart(2, '0');
    if (long && d > 0) {
      return `${plural(d, 'day', 'days')} ${hh} h`;
    }
    if (long && hh > 0) {
      return `${hh} h ${String(mm).padStart(2, '0')} min`;
    }
    return hh > 0 || d > 0 ? `${d * 24 + hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
  }

  // What the gateway knows of a waiting buyer's chances, in plain words: never false hope, never silence.
  function odds(q) {
    if (q.seatsLeft == null || q.peopleAhead == null) {
      return null;
    }
    const seats = `${count(q.seatsLeft)} ${q.seatsLeft === 1 ? 'seat is' : 'seats are'}`;
    const people = `${count(q.peopleAhead)} ${q.peopleAhead === 1 ? 'person' : 'people'}`;
    if (q.likelySoldOut) {
      return h('div', { class: 'notice notice-warning', id: 'odds', role: 'status' },
        h('p', null, `About ${seats} left for the ${people} ahead of you: you may not get tickets.`),
        h('p', null, 'You keep your place if you stay: seats sometimes come back when other buyers do not finish.'));
    }
    return h('p', { id: 'odds' }, q.peopleAhead === 0
      ? `About ${seats} left.`
      : `About ${seats} left; the ${people} ahead of you are likely to take about ${count(q.seatsLikelyTakenAhead || 0)}.`);
  }

  function waitText(seconds) {
    if (seconds < 60) {
      return 'less than a minute';
    }
    if (seconds < 3600) {
      return `about ${plural(Math.round(seconds / 60), 'minute', 'minutes')}`;
    }
    return `about ${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Talking to the gateway

  class ApiError extends Error {
    constructor(status, code, problem, retryAfterMs) {
      super(problem && problem.detail ? problem.detail : `${status} ${code}`);
      this.status = status; // 0: no answer (offline, timeout)
      this.code = code;
      this.problem = problem || {};
      this.retryAfterMs = retryAfterMs;
    }
  }

  function retryAfterOf(res) {
    const value = res.headers.get('Retry-After');
    if (!value) {
      return null;
    }
    const seconds = Number(value);
    if (Number.isFinite(seconds)) {
      return Math.max(0, seconds * 1000);
    }
    const at = Date.parse(value);
    return Number.isFinite(at) ? Math.max(0, at - serverNow()) : null;
  }

  async function api(method, path, { body, token, key, extra } = {}) {
    const headers = { Accept: 'application/json', ...extra };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    if (token) {
      headers.Authorization = `Bearer ${token}`;
    }
    if (key) {
      headers['Idempotency-Key'] = key;
    }
    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(), 15000);
    let res;
    let data = null;
    try {
      res = await fetch(API + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
        signal: abort.signal,
      });
      const date = Date.parse(res.headers.get('Date'));
      if (Number.isFinite(date) && Math.abs(date - Date.now() - skew) > 1500) {
        skew = date - Date.now(); // Date has 1 s resolution: only a real difference moves the clock
      }
      if (res.status !== 204 && /json/.test(res.headers.get('Content-Type') || '')) {
        data = await res.json();
      }
    } catch {
      throw new ApiError(0, 'network', null, null);
    } finally {
      clearTimeout(timeout);
    }
    const retryAfterMs = retryAfterOf(res);
    if (!res.ok) {
      throw new ApiError(res.status, (data && data.code) || `http_${res.status}`, data, retryAfterMs);
    }
    return { status: res.status, data, retryAfterMs };
  }

  /** Polls with the server's pace on success and exponential back-off with jitter on errors. */
  class Poller {
    constructor(name, run, quiet = false) {
      Object.assign(this, { name, run, quiet, timer: 0, failures: 0, active: false, running: false, error: null, nextAt: 0, gen: 0 });
    }

    start(delayMs = 0) {
      this.stop();
      this.active = true;
      this.schedule(delayMs);
    }

    stop() {
      this.active = false;
      this.gen += 1;
      clearTimeout(this.timer);
      this.failures = 0;
      if (this.error) {
        this.error = null;
        connectionChanged();
      }
    }

    now() {
      if (this.active && !this.running) {
        this.schedule(0);
      }
    }

    schedule(ms) {
      clearTimeout(this.timer);
      this.nextAt = Date.now() + ms;
      const gen = this.gen;
      this.timer = setTimeout(() => this.tick(gen), ms);
    }

    async tick(gen) {
      if (!this.active || gen !== this.gen) {
        return;
      }
      this.running = true;
      try {
        const next = await this.run();
        if (gen !== this.gen) {
          return;
        }
        this.failures = 0;
        const had = this.error;
        this.error = null;
        if (next == null) {
          this.active = false;
        } else {
          this.schedule(next);
        }
        if (had) {
          connectionChanged();
        }
      } catch (e) {
        if (gen !== this.gen) {
          return;
        }
        if (!(e instanceof ApiError)) {
          reportBug(e);
        }
        this.failures += 1;
        this.error = e;
        const base = Math.max((e && e.retryAfterMs) || 0, 2000);
        this.schedule(Math.min(60000, base * 2 ** Math.min(this.failures - 1, 5)) * (0.8 + Math.random() * 0.4));
        connectionChanged();
      } finally {
        this.running = false;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The page around us

  function post(message) {
    if (parentOrigin) {
      window.parent.postMessage(message, parentOrigin);
    }
  }

  window.addEventListener('message', (event) => {
    if (!framed || event.source !== window.parent || !trusted(event.origin)) {
      return;
    }
    const message = event.data;
    if (!message || typeof message !== 'object') {
      return;
    }
    if (!parentOrigin) {
      if (hostOk && message.type === 'onsale:hello') {
        parentOrigin = event.origin;
        lastHeight = 0; // tell the page what it missed: our size and state
        reportHeight();
        postState();
      }
      return;
    }
    if (event.origin === parentOrigin && message.type === 'onsale:open-purchase' && /^[A-Za-z0-9_-]{1,64}$/.test(String(message.purchaseId))) {
      openPurchase(String(message.purchaseId));
    }
  });

  let lastHeight = 0;
  function reportHeight() {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      post({ type: 'onsale:resize', height });
    }
  }
  if ('ResizeObserver' in window) {
    new ResizeObserver(reportHeight).observe(document.documentElement);
  }
  window.addEventListener('resize', reportHeight);

  function postState() {
    const trouble = connectionTrouble();
    lastConnection = trouble ? trouble.kind : 'ok';
    const detail = { state: app.view, venue: config.venue, performanceId: PERF, mode: app.notice.mode, connection: lastConnection };
    const q = app.queue;
    if (q && (app.view === 'lobby' || app.view === 'waiting' || app.view === 'sold_out')) {
      Object.assign(detail, { position: q.position, estimatedWaitSeconds: q.estimatedWaitSeconds, opensAt: q.opensAt, seatsLeft: q.seatsLeft, peopleAhead: q.peopleAhead, likelySoldOut: q.likelySoldOut, paused: q.paused });
    }
    if (app.view === 'admitted' && app.access) {
      detail.accessExpiresAt = app.access.expiresAt || null;
    }
    if (app.view === 'held' && app.hold) {
      Object.assign(detail, { holdExpiresAt: app.hold.expiresAt, seats: app.hold.seats });
    }
    if (app.purchase && (app.view === 'parked' || app.view === 'confirmed' || app.view === 'failed')) {
      Object.assign(detail, { purchaseId: app.purchase.purchaseId, status: app.purchase.status });
    }
    post({ type: 'onsale:state', detail });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // State

  const app = {
    view: 'loading',
    loadingText: 'Loading the box office…',
    perf: null,
    avail: null,
    notice: { mode: 'normal', banner: null },
    queue: null,
    queueToken: store.get('queueToken'),
    hot: false, // this performance asked for a solved challenge: later joins solve one before asking
    joined: false,
    invalidTokens: 0,
    access: store.get('access'),
    hold: store.get('hold'),
    purchase: null,
    purchaseEmitted: '',
    sel: { zoneId: null, quantity: 2 },
    form: { token: '', email: '' },
    flash: null,
    busy: false,
    pendingRender: false,
    buyNow: false,
    attempt: null,
    retryAt: 0,
    lastChecked: 0,
    lastAnnounced: 0,
    problem: null,
    offline: null,
    fatal: false,
    focusId: '',
  };

  const accessValid = () => !!app.access && (!app.access.expiresAt || local(app.access.expiresAt) > Date.now());

  function setAccess(access) {
    app.access = access; // { token: null } when no waiting room is in use: then nobody needs one
    store.set('access', access);
  }

  function forgetQueue() {
    app.queueToken = null;
    app.joined = false;
    app.queue = null;
    store.set('queueToken', null);
  }

  function setHold(hold) {
    app.hold = hold;
    store.set('hold', hold);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Timers: every countdown on screen ticks from here; none re-renders the form the buyer is typing in.

  const timers = [];

  function timer(until, { long = false, short = false, onZero = null, warnAt = 0, warnText = '' } = {}) {
    const el = h('span', { class: 'timer', role: 'timer' });
    timers.push({ el, until, long, short, onZero, warnAt, warnText, fired: false, warned: false });
    return el;
  }

  function tick() {
    const t = Date.now();
    for (let i = timers.length - 1; i >= 0; i -= 1) {
      const entry = timers[i];
      if (!entry.el.isConnected) {
        timers.splice(i, 1); // rendering is synchronous: a timer not on screen now never will be
        continue;
      }
      const left = entry.until - t;
      entry.el.textContent = countdownText(left, entry.long, entry.short);
      const urgent = entry.warnAt && left <= entry.warnAt;
      const box = entry.el.closest('.deadline');
      if (box) {
        box.classList.toggle('urgent', !!urgent);
      }
      if (urgent && !entry.warned && left > 0) {
        entry.warned = true;
        announce(entry.warnText);
      }
      if (left <= 0 && !entry.fired) {
        entry.fired = true;
        if (entry.onZero) {
          setTimeout(entry.onZero, 0);
        }
      }
    }
  }
  setInterval(tick, 500);

  function announce(text) {
    announceEl.textContent = '';
    setTimeout(() => {
      announceEl.textContent = text;
    }, 60);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Rendering

  function render(viewChanged = false) {
    app.pendingRender = false;
    const nodes = [perfHeader(), VIEWS[app.view]()].flat(Infinity).filter(Boolean);
    viewEl.replaceChildren(...nodes);
    viewEl.setAttribute('aria-busy', String(app.view === 'loading' || app.busy));
    viewEl.dataset.view = app.view; // a hook for tests and for styling
    if (document.hasFocus()) {
      const again = !viewChanged && app.focusId && document.getElementById(app.focusId);
      if (again && !again.disabled) {
        again.focus({ preventScroll: true });
      } else if (viewChanged) {
        const heading = document.getElementById('heading');
        if (heading) {
          heading.focus();
        }
      }
    }
    tick();
    reportHeight();
  }
  viewEl.addEventListener('focusin', (event) => {
    app.focusId = event.target.id || '';
  });

  /** A re-render for background news (fresh availability, the performance's title): never under the buyer's typing. */
  function softRender() {
    const active = document.activeElement;
    if (active && active.tagName === 'INPUT' && (active.type === 'text' || active.type === 'email') && viewEl.contains(active)) {
      app.pendingRender = true;
      return;
    }
    render();
  }
  viewEl.addEventListener('focusout', () => setTimeout(() => {
    if (app.pendingRender) {
      softRender();
    }
  }, 0));

  function go(view, { keepFlash = false } = {}) {
    const changed = view !== app.view;
    if (changed && !keepFlash) {
      app.flash = null;
    }
    if (changed && view !== 'admitted') {
      app.buyNow = false;
    }
    app.view = view;
    render(changed);
    if (changed) {
      renderNotices(); // the connection banner steps aside for the offline view, and back
      postState();
      const heading = document.getElementById('heading');
      if (heading && view !== 'loading') {
        announce(heading.textContent);
      }
    }
  }

  let noticeKey = '';
  function renderNotices(force = false) {
    const connection = connectionTrouble();
    const key = JSON.stringify([app.fatal, app.notice, connection && connection.poller.name, connection && connection.poller.nextAt, connection && connection.kind, app.view === 'offline']);
    if (key === noticeKey && !force) {
      return;
    }
    noticeKey = key;
    const items = [];
    if (app.fatal) {
      items.push(h('div', { class: 'notice notice-critical', role: 'alert' },
        h('p', null, 'Something went wrong in the box office. Reload it to carry on: anything you have already bought is safe.'),
        h('div', { class: 'row' }, h('button', { type: 'button', id: 'btn-reload', onclick: () => location.reload() }, 'Reload the box office'))));
    }
    const banner = app.notice.banner;
    if (banner && banner.message) {
      const level = ['info', 'warning', 'critical'].includes(banner.level) ? banner.level : 'info';
      items.push(h('div', { class: `notice notice-${level}`, role: level === 'critical' ? 'alert' : 'status' },
        h('p', null, h('strong', null, level === 'info' ? 'Notice from the box office: ' : 'Important: '), banner.message)));
    }
    if (app.notice.mode === 'degraded') {
      items.push(h('div', { class: 'notice notice-warning', role: 'status' },
        h('p', null, h('strong', null, 'The box office is running in reduced mode. '),
          'You can still buy: use Buy now and your purchase will be confirmed here a little later. Holding seats is paused for now.')));
    }
    if (connection && app.view !== 'offline') {
      items.push(h('div', { class: 'notice notice-warning', role: 'status' },
        h('div', { class: 'row' },
          h('p', null, connection.kind === 'network' ? "We can't reach the box office. " : 'The box office is very busy. ',
            'Retrying in ', timer(connection.poller.nextAt, { short: true }), '…'),
          h('button', { type: 'button', id: 'btn-retry-connection', onclick: () => connection.poller.now() }, 'Retry now'))));
    }
    const focused = noticesEl.contains(document.activeElement) ? document.activeElement.id : '';
    noticesEl.replaceChildren(...items);
    const again = focused && document.getElementById(focused);
    if (again) {
      again.focus({ preventScroll: true }); // keyboard users keep their place on "Retry now"
    }
    tick();
    reportHeight();
  }

  function perfHeader() {
    const p = app.perf;
    if (!p) {
      return null;
    }
    return h('p', { class: 'perf' }, h('strong', null, p.title), h('span', null, p.venue), p.startsAt ? h('span', null, dateTime(p.startsAt)) : null);
  }

  const heading = (text) => h('h1', { id: 'heading', tabindex: '-1' }, text);
  const progress = () => h('div', { class: 'progress', 'aria-hidden': 'true' }, h('span'));
  const lastChecked = () => (app.lastChecked ? h('p', { class: 'muted small' }, `Last updated ${clockSeconds(app.lastChecked)}.`) : null);

  function flashBox() {
    const f = app.flash;
    if (!f) {
      return null;
    }
    const waiting = app.retryAt > Date.now();
    return h('div', { class: `flash flash-${f.kind}`, role: f.kind === 'error' ? 'alert' : 'status' },
      h('p', null, f.text, waiting ? [' You can try again in ', timer(app.retryAt, { short: true, onZero: () => render() }), '.'] : null));
  }

  function staleNote() {
    const a = app.avail;
    if (!a || !a.stale) {
      return null;
    }
    return h('p', { class: 'flash flash-info', role: 'status' },
      `Availability as of ${clock(local(a.asOf))} — may be out of date. The box office isn't answering right now; we'll update this as soon as it does.`);
  }

  function leftText(zone) {
    if (zone.available <= 0) {
      return 'Sold out';
    }
    return zone.available <= 20 ? `Only ${count(zone.available)} left` : `${count(zone.available)} left`;
  }

  const zoneById = (id) => (app.avail ? app.avail.zones.find((z) => z.zoneId === id) : null);

  function zoneList() {
    return h('ul', { class: 'zones', 'aria-label': 'Zones, prices and availability' }, app.avail.zones.map((z) =>
      h('li', { class: `zone${z.available <= 0 ? ' soldout' : ''}`, 'aria-disabled': z.available <= 0 ? 'true' : null },
        h('span', { class: 'zone-name' }, z.name),
        h('span', { class: 'zone-price' }, money(z.priceCents)),
        h('span', { class: 'zone-left' }, leftText(z)))));
  }

  function selectedZone() {
    let zone = zoneById(app.sel.zoneId);
    if (!zone || zone.available <= 0) {
      zone = app.avail ? app.avail.zones.find((z) => z.available > 0) : null;
      app.sel.zoneId = zone ? zone.zoneId : null;
    }
    if (zone) {
      app.sel.quantity = Math.max(1, Math.min(app.sel.quantity, 10, zone.available));
    }
    return zone;
  }

  function zonePicker() {
    const chosen = selectedZone();
    const max = chosen ? Math.min(10, chosen.available) : 1;
    const onZone = (event) => {
      app.sel.zoneId = Number(event.target.value);
      render();
    };
    return [
      h('fieldset', null, h('legend', null, 'Zone'),
        h('div', { class: 'zones' }, app.avail.zones.map((z) => {
          const soldOut = z.available <= 0;
          return h('label', { class: `zone${soldOut ? ' soldout' : ''}`, for: `zone-${z.zoneId}` },
            h('span', { class: 'pick' },
              h('input', { type: 'radio', name: 'zone', id: `zone-${z.zoneId}`, value: String(z.zoneId), checked: chosen && chosen.zoneId === z.zoneId, disabled: soldOut, onchange: onZone }),
              h('span', { class: 'zone-name' }, z.name)),
            h('span', { class: 'zone-price' }, money(z.priceCents)),
            h('span', { class: 'zone-left' }, leftText(z)));
        }))),
      h('div', { class: 'field' },
        h('label', { for: 'quantity' }, 'Number of tickets'),
        h('select', { id: 'quantity', disabled: !chosen || app.busy || !!(app.attempt && app.attempt.locked), onchange: (e) => { app.sel.quantity = Number(e.target.value); render(); } },
          Array.from({ length: max }, (_, i) => h('option', { value: String(i + 1), selected: i + 1 === app.sel.quantity }, String(i + 1)))),
        h('span', { class: 'hint' }, 'Up to 10 per purchase.')),
      chosen ? h('p', { class: 'total' }, `Total: ${money(chosen.priceCents * app.sel.quantity)}`) : null,
    ];
  }

  function checkoutForm(kind) {
    const locked = !!(app.attempt && app.attempt.locked);
    const total = kind === 'checkout' ? app.hold.totalCents : (selectedZone() || { priceCents: 0 }).priceCents * app.sel.quantity;
    const invalid = app.flash && app.flash.field;
    return h('form', { novalidate: true, onsubmit: (e) => { e.preventDefault(); pay(kind); } },
      h('h2', null, 'Payment'),
      h('div', { class: 'field' },
        h('label', { for: 'pay-token' }, 'Payment token'),
        h('input', {
          type: 'text', id: 'pay-token', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', value: app.form.token,
          readOnly: locked, 'aria-describedby': 'pay-token-hint', 'aria-invalid': invalid === 'token' ? 'true' : null, required: true,
          oninput: (e) => { app.form.token = e.target.value; },
        }),
        h('span', { class: 'hint', id: 'pay-token-hint' },
          "Payment is handled by the venue's payment provider, which gives a token for your card. In this demo, type tok_ok (or tok_declined to see a declined payment).")),
      h('div', { class: 'field' },
        h('label', { for: 'pay-email' }, 'Email address'),
        h('input', {
          type: 'email', id: 'pay-email', autocomplete: 'email', value: app.form.email, readOnly: locked, required: true,
          'aria-describedby': 'pay-email-hint', 'aria-invalid': invalid === 'email' ? 'true' : null,
          oninput: (e) => { app.form.email = e.target.value; },
        }),
        h('span', { class: 'hint', id: 'pay-email-hint' }, 'Where the venue can reach you about this order.')),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', id: 'btn-pay', disabled: app.busy || app.retryAt > Date.now() },
          app.busy ? 'Paying…' : locked ? "Try again (you won't be charged twice)" : `Pay ${money(total)}`),
        kind === 'checkout'
          ? h('button', { type: 'button', id: 'btn-release', disabled: app.busy, onclick: release }, 'Release seats')
          : h('button', { type: 'button', id: 'btn-cancel-buy', disabled: app.busy || locked, onclick: () => { app.buyNow = false; app.flash = null; render(); } }, 'Back')));
  }

  const VIEWS = {
    loading: () => [heading(app.loadingText), progress(), h('p', { class: 'muted' }, 'This usually takes a moment.')],

    zones: () => {
      const a = app.avail;
      const opensAt = app.perf && app.perf.onSaleAt ? local(app.perf.onSaleAt) : 0;
      const beforeOpening = opensAt > Date.now();
      const soldOut = a.zones.length === 0 || a.zones.every((z) => z.available <= 0);
      let next;
      if (soldOut) {
        next = [
          h('p', null, h('strong', null, 'This performance is sold out right now.'), ' Seats sometimes come back when other buyers’ holds run out.'),
          h('div', { class: 'actions' }, h('button', { type: 'button', id: 'btn-check', onclick: () => availPoller.start(0) }, 'Check again')),
        ];
      } else if (beforeOpening) {
        next = [
          h('p', { class: 'deadline' }, `Sales open ${dateTime(opensAt)}, in `, timer(opensAt, { long: true, onZero: () => render() })),
          h('p', null, 'Join the waiting room now: when sales open, everyone already waiting gets a random place in line, so there is no rush and no need to refresh.'),
          h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', id: 'btn-join', disabled: app.busy, onclick: join }, 'Join the waiting room')),
        ];
      } else {
        next = h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'primary', id: 'btn-join', disabled: app.busy, onclick: join }, app.busy ? 'Please wait…' : 'Get tickets'),
          h('p', { class: 'why' }, 'Next you choose a zone and how many tickets. If many people are buying at once, you wait in a short queue first.'));
      }
      return [heading('Tickets'), staleNote(), zoneList(), flashBox(), next];
    },

    lobby: () => {
      const q = app.queue;
      const opens = q.opensAt ? local(q.opensAt) : 0;
      const open = opens > Date.now();
      return [
        heading("You're in the waiting room"),
        open
          ? [h('div', { class: 'figure' }, h('span', { class: 'label' }, 'Sales open in'),
            h('span', { class: 'value' }, timer(opens, { long: true, onZero: () => { render(); queuePoller.now(); } }))),
          h('p', null, `Sales open at ${clock(opens)}.`)]
          : [h('p', null, h('strong', null, 'Sales are opening: finding your place in the queue…')), progress()],
        q.message ? h('p', null, q.message) : null,
        h('p', null, 'When sales open, everyone in the waiting room gets a random place in the queue. Arriving earlier does not put you ahead, so there is no need to refresh: keep this page open and we will move you along automatically.'),
        lastChecked(),
      ];
    },

    waiting: () => {
      const q = app.queue;
      return [
        heading("You're in the queue"),
        h('div', { class: 'figure' }, h('span', { class: 'label' }, 'Your place in the queue'),
          h('span', { class: 'value' }, q.position === 1 ? "You're next" : `${count(q.position)}`)),
        // Paused by the venue: say why the line stands still, and promise no movement (no estimate, nothing animated).
        q.paused ? h('div', { class: 'notice notice-info', id: 'paused', role: 'status', 'aria-live': 'polite' },
          h('p', null, h('strong', null, 'Admission is paused. '), q.message || 'The venue has paused admission for a moment. You keep your place in line.')) : null,
        !q.paused && q.estimatedWaitSeconds != null ? h('p', null, `Estimated wait: ${waitText(q.estimatedWaitSeconds)}.`) : null,
        odds(q),
        q.message && !q.likelySoldOut && !q.paused ? h('p', null, q.message) : null,
        h('p', null, "Keep this page open: you'll move forward automatically. When it's your turn, you'll have a limited time to choose seats and pay."),
        lastChecked(),
      ];
    },

    admitted: () => {
      const degraded = app.notice.mode === 'degraded';
      const waiting = app.retryAt > Date.now();
      const chosen = app.avail ? selectedZone() : null;
      return [
        heading(app.access && app.access.token ? "It's your turn: choose your seats" : 'Choose your seats'),
        app.access && app.access.expiresAt
          ? h('p', { class: 'deadline' }, 'Time left to buy: ', timer(local(app.access.expiresAt), {
            onZero: accessEnded, warnAt: 60000, warnText: 'One minute left to buy.',
          }))
          : null,
        staleNote(),
        app.avail ? zonePicker() : [h('p', null, 'Loading zones and prices…'), progress()],
        flashBox(),
        app.buyNow
          ? checkoutForm('buy')
          : h('div', { class: 'actions' },
            h('button', { type: 'button', class: degraded ? null : 'primary', id: 'btn-hold', disabled: app.busy || waiting || !chosen, onclick: holdSeats },
              app.busy ? 'Holding…' : 'Hold seats'),
            h('button', { type: 'button', class: degraded ? 'primary' : null, id: 'btn-buy', disabled: app.busy || waiting || !chosen, onclick: () => { app.buyNow = true; app.flash = null; render(); focusField('pay-token'); } },
              'Buy now'),
            h('p', { class: 'why' }, degraded
              ? 'Holding seats is paused while the box office catches up. Buy now takes your request at once and confirms it here.'
              : 'Hold seats keeps them for you for a few minutes while you pay. Buy now pays straight away.')),
        chosen ? null : h('p', { class: 'muted' }, app.avail ? 'Every zone is sold out right now. We will update this page if seats come back.' : ''),
      ];
    },

    held: () => {
      const hold = app.hold;
      const zone = zoneById(hold.zoneId);
      return [
        heading('Your seats are held'),
        h('p', { class: 'deadline' }, 'Held for ', timer(local(hold.expiresAt), {
          onZero: holdExpired, warnAt: 60000, warnText: 'One minute left to pay for your seats.',
        }), ' more: pay before then.'),
        h('dl', { class: 'facts' },
          h('dt', null, 'Zone'), h('dd', null, zone ? zone.name : `Zone ${hold.zoneId}`),
          h('dt', null, 'Tickets'), h('dd', null, String(hold.quantity || hold.seats.length)),
          h('dt', null, 'Total'), h('dd', null, money(hold.totalCents))),
        h('h2', null, 'Your seats'),
        h('ul', { class: 'seats' }, hold.seats.map((s) => h('li', null, s))),
        flashBox(),
        checkoutForm('checkout'),
      ];
    },

    parked: () => {
      const p = app.purchase;
      const zone = zoneById(p.zoneId);
      const link = comeBackLink(p.purchaseId);
      return [
        heading('We have your request'),
        h('p', null, h('strong', null, 'It will be confirmed here. You can close this page and come back.')),
        p.status === 'processing'
          ? h('p', null, 'We are confirming it with the box office now.')
          : h('p', null, 'The box office is busy, so requests are being completed one by one in the order they arrived. Yours is saved and in line.'),
        progress(),
        h('dl', { class: 'facts' },
          h('dt', null, 'Tickets'), h('dd', null, `${p.quantity} × ${zone ? zone.name : `zone ${p.zoneId}`}`),
          p.createdAt ? [h('dt', null, 'Requested at'), h('dd', null, clock(local(p.createdAt)))] : null,
          h('dt', null, 'Status'), h('dd', null, p.status === 'processing' ? 'Being confirmed' : 'Waiting for the box office')),
        link ? [h('p', null, 'To check on it later, keep this link:'), h('a', { class: 'keep-link', id: 'keep-link', href: link, target: '_blank', rel: 'noopener' }, link)] : null,
        app.lastChecked ? h('p', { class: 'muted small' }, `Last checked ${clockSeconds(app.lastChecked)}. We keep checking automatically.`) : null,
      ];
    },

    confirmed: () => {
      const p = app.purchase;
      const zone = zoneById(p.zoneId);
      return [
        h('div', { class: 'success' },
          heading(`You're going! Order ${p.orderId} is confirmed`),
          h('p', null, app.perf ? `Your tickets for ${app.perf.title} are booked.` : 'Your tickets are booked.')),
        h('dl', { class: 'facts' },
          h('dt', null, 'Order number'), h('dd', null, String(p.orderId)),
          h('dt', null, 'Zone'), h('dd', null, zone ? zone.name : `Zone ${p.zoneId}`),
          h('dt', null, 'Tickets'), h('dd', null, String(p.quantity)),
          p.totalCents != null ? [h('dt', null, 'Total paid'), h('dd', null, money(p.totalCents))] : null),
        p.seats && p.seats.length ? [h('h2', null, 'Your seats'), h('ul', { class: 'seats' }, p.seats.map((s) => h('li', null, s)))] : null,
        h('p', null, 'Keep your order number: the venue uses it to find your booking.'),
        h('div', { class: 'actions' }, h('button', { type: 'button', id: 'btn-more', onclick: startOver }, 'Buy more tickets')),
      ];
    },

    failed: () => {
      const p = app.purchase;
      const reason = FAILURES[p.failureCode] || FAILURES.other;
      return [
        heading("Your purchase didn't go through"),
        h('p', null, h('strong', null, reason.text)),
        p.message && p.message !== reason.text ? h('p', null, `The box office said: ${p.message}`) : null,
        h('p', null, 'You have not been charged.'),
        h('p', null, reason.next),
        h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', id: 'btn-again', onclick: startOver }, reason.action)),
      ];
    },

    sold_out: () => [
      heading('Sold out for now'),
      h('p', null, (app.queue && app.queue.message) || 'As far as we know, every seat has been sold.'),
      h('p', null, "We're keeping your place in the queue: if seats come back (for example when other buyers' holds run out), you'll move on automatically. Keep this page open, or come back later."),
      lastChecked(),
    ],

    expired: () => [
      heading('Your turn has ended'),
      h('p', null, app.expiredText || 'Your time to buy ran out before a purchase was made.'),
      h('p', null, 'You can join the queue again.'),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', id: 'btn-rejoin', onclick: join }, 'Join the queue again')),
    ],

    offline: () => {
      const o = app.offline || {};
      const poller = o.poller;
      return [
        heading(o.kind === 'busy' ? 'The box office is very busy' : "We can't reach the box office"),
        h('p', null, o.kind === 'busy'
          ? (o.text || 'It could not answer just now.')
          : 'Check your internet connection. If it is working, the box office may be overloaded.'),
        poller && poller.active ? h('p', null, h('strong', null, 'Retrying in ', timer(poller.nextAt, { short: true }), '…')) : null,
        h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', id: 'btn-retry', onclick: () => poller && poller.now() }, 'Retry now')),
        h('p', { class: 'muted' }, "This page keeps trying by itself; you don't need to reload it."),
      ];
    },

    unavailable: () => [
      heading(app.problem.title),
      h('p', null, app.problem.text),
      app.problem.next ? h('p', { class: 'muted' }, app.problem.next) : null,
      app.problem.action ? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', id: 'btn-problem', onclick: app.problem.action.run }, app.problem.action.label)) : null,
    ],
  };

  const FAILURES = {
    not_enough_seats: {
      text: "There weren't enough seats left to complete your request.",
      next: 'Choose fewer tickets or another zone, and try again.',
      action: 'Choose seats again',
    },
    payment_declined: {
      text: 'Your payment was declined, so nothing was bought.',
      next: 'Check your payment details or use another payment method, then try again.',
      action: 'Try again',
    },
    expired: {
      text: "The box office couldn't complete your request in time, so it was cancelled.",
      next: 'Seats may still be available: please try again.',
      action: 'Try again',
    },
    other: {
      text: "We couldn't complete your purchase.",
      next: 'Please try again. If it keeps happening, contact the venue.',
      action: 'Try again',
    },
  };

  function comeBackLink(purchaseId) {
    const hash = `#onsale-purchase=${encodeURIComponent(purchaseId)}`;
    try {
      if (config.page) {
        const page = new URL(config.page);
        if (page.protocol === 'https:' || page.protocol === 'http:') {
          page.hash = '';
          return page.href + hash;
        }
      }
      const self = new URL(location.href); // opened on its own: this very address works later too
      self.searchParams.set('purchase', purchaseId);
      self.hash = '';
      return self.href;
    } catch {
      return null;
    }
  }

  function focusField(id) {
    setTimeout(() => {
      const el = document.getElementById(id);
      if (el) {
        el.focus();
      }
    }, 0);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Connection trouble: any poller that failed shows a banner (or the offline view when there is nothing to show).

  function connectionTrouble() {
    const failing = [availPoller, queuePoller, purchasePoller, noticePoller].filter((p) => p.active && p.error && !p.quiet);
    if (failing.length === 0) {
      return null;
    }
    const poller = failing.reduce((a, b) => (a.nextAt <= b.nextAt ? a : b));
    return { poller, kind: poller.error.status === 0 ? 'network' : 'busy' };
  }

  let lastConnection = 'ok';
  function connectionChanged() {
    renderNotices();
    if (app.view === 'offline') {
      render();
    }
    const trouble = connectionTrouble();
    if ((trouble ? trouble.kind : 'ok') !== lastConnection) {
      postState(); // the page hears about trouble, and about its end
    }
  }

  function showOffline(poller, error) {
    app.offline = {
      poller,
      kind: error.status === 0 ? 'network' : 'busy',
      text: error.code === 'availability_unknown'
        ? "It isn't answering, and we don't know which seats are free yet."
        : error.problem.detail,
    };
    go('offline');
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Pollers

  const noticePoller = new Poller('notice', async () => {
    try {
      const { data } = await api('GET', '/notice');
      const next = { mode: data && data.mode === 'degraded' ? 'degraded' : 'normal', banner: (data && data.banner) || null };
      if (JSON.stringify(next) !== JSON.stringify(app.notice)) {
        const modeChanged = next.mode !== app.notice.mode;
        app.notice = next;
        renderNotices();
        if (modeChanged) {
          if (app.view === 'admitted') {
            softRender();
          }
          postState();
        }
      }
    } catch (e) {
      if (e.status === 404) {
        return null; // a gateway without notices
      }
      throw e;
    }
    return 15000 * (0.8 + Math.random() * 0.4);
  });

  const perfPoller = new Poller('performances', async () => {
    const { data } = await api('GET', '/performances');
    app.perf = (Array.isArray(data) ? data : []).find((p) => p.id === PERF) || null;
    if (app.view !== 'loading') {
      softRender();
    }
    return null;
  }, true);

  const availPoller = new Poller('availability', async () => {
    let data;
    try {
      ({ data } = await api('GET', `/performances/${PERF}/availability`));
    } catch (e) {
      if (e.code === 'unknown_performance') {
        unavailable({
          title: "This performance isn't on sale here",
          text: `We couldn't find performance ${PERF}. It may have been removed or moved to another page.`,
          next: "Please check the venue's website for current performances.",
        });
        return null;
      }
      if (!app.avail && app.after && (app.view === 'loading' || app.view === 'offline')) {
        setTimeout(() => showOffline(availPoller, e), 0);
      }
      throw e;
    }
    const changed = JSON.stringify(data) !== JSON.stringify(app.avail);
    app.avail = data;
    if ((app.view === 'loading' || app.view === 'offline') && app.after) {
      const next = app.after;
      app.after = null;
      go(next);
    } else if (changed && (app.view === 'zones' || app.view === 'admitted' || app.view === 'held' || app.view === 'parked' || app.view === 'confirmed')) {
      softRender();
    }
    return ['zones', 'admitted', 'held'].includes(app.view) ? 30000 * (0.8 + Math.random() * 0.4) : null;
  });

  /**
   * Joins the line. A hot on-sale answers 428 proof_of_work_required to a join without a solved challenge: then the
   * frame fetches one, solves it (proof-of-work.js, in a worker) while saying so, and joins with the solution. A
   * venue-signed identity, when the page has one, goes with every join.
   */
  async function joinQueue(path) {
    const extra = config.identity ? { 'OnSale-Identity': config.identity } : {};
    const token = app.queueToken || undefined;
    if (!app.hot || token) {
      try {
        return await api('POST', path, { token, extra });
      } catch (e) {
        if (e.code !== 'proof_of_work_required') {
          throw e;
        }
        app.hot = true;
      }
    }
    app.loadingText = 'Getting you a place in line…';
    go('loading');
    for (let attempt = 1; ; attempt += 1) {
      const { data } = await api('GET', `${path}/challenge`);
      const solved = await window.OnSaleProofOfWork.solve(data.challenge, data.difficulty);
      extra['OnSale-Proof-Of-Work'] = `${data.challenge}:${solved.nonce}`;
      try {
        return await api('POST', path, { token, extra });
      } catch (e) {
        // A solution can expire on a very slow device, or its answer be lost and the retry meet "reused": solve anew.
        if (e.code !== 'proof_of_work_required' || attempt >= 3) {
          throw e;
        }
      }
    }
  }

  const queuePoller = new Poller('queue', async () => {
    const path = `/performances/${PERF}/queue`;
    let res;
    try {
      res = app.joined && app.queueToken
        ? await api('GET', path, { token: app.queueToken })
        : await joinQueue(path);
    } catch (e) {
      if (e.status === 404 && e.code !== 'unknown_performance') {
        // No waiting room on this gateway (or none for this performance): nobody has to queue.
        forgetQueue();
        setAccess({ token: null, expiresAt: null });
        app.busy = false;
        admitted();
        return null;
      }
      if (e.code === 'unknown_performance') {
        app.busy = false;
        unavailable({
          title: "This performance isn't on sale here",
          text: `We couldn't find performance ${PERF}.`,
          next: "Please check the venue's website for current performances.",
        });
        return null;
      }
      const refusal = {
        identity_required: {
          title: 'Sign in to join the queue',
          text: 'For this on-sale the venue gives one place in the queue per account, so it needs you to be signed in.',
          next: "Sign in on the venue's website, then open this page again.",
        },
        invalid_identity: {
          title: "We couldn't confirm your sign-in",
          text: 'Your sign-in for this on-sale has expired or could not be checked.',
          next: "Reload the venue's page (sign in again if it asks), then join the queue.",
        },
        too_many_places: {
          title: 'Too many places from your connection',
          text: 'So many places in this queue have already been taken from your internet connection that we cannot give it another.',
          next: 'If you joined before, use the same browser tab to keep your place. Otherwise try from another connection, such as mobile data.',
        },
      }[e.code];
      if (refusal) {
        app.busy = false;
        unavailable(refusal);
        return null;
      }
      if (e.code === 'invalid_token' && app.queueToken && app.invalidTokens < 2) {
        app.invalidTokens += 1;
        forgetQueue(); // the saved place is no longer valid: join afresh
        return 0;
      }
      if (!app.queue && app.view !== 'offline') {
        app.busy = false;
        app.after = null;
        setTimeout(() => showOffline(queuePoller, e), 0);
      }
      throw e;
    }
    app.busy = false;
    app.invalidTokens = 0;
    app.joined = true;
    return onQueue(res.data, res.retryAfterMs);
  });

  const purchasePoller = new Poller('purchase', async () => {
    const id = app.purchaseId;
    let data;
    try {
      ({ data } = await api('GET', `/purchases/${encodeURIComponent(id)}`));
    } catch (e) {
      if (e.code === 'unknown_purchase') {
        store.set('purchase', null);
        unavailable({
          title: "We can't find this purchase",
          text: 'The link may be incomplete, or the purchase was made on another box office.',
          next: 'If you were charged, contact the venue with your email address.',
          action: { label: 'Go to tickets', run: startOver },
        });
        return null;
      }
      if (app.view === 'loading') {
        setTimeout(() => showOffline(purchasePoller, e), 0);
      }
      throw e;
    }
    app.lastChecked = Date.now();
    if (data.performanceId !== PERF) {
      // A link for another performance on the same page: its own widget shows it.
      store.set('purchase', null);
      resumeOrBrowse();
      return null;
    }
    showPurchase(data);
    return data.status === 'parked' || data.status === 'processing' ? 2000 * (0.8 + Math.random() * 0.4) : null;
  });

  // ---------------------------------------------------------------------------------------------------------------
  // Flows

  function unavailable(problem) {
    app.problem = problem;
    go('unavailable');
  }

  function browse() {
    app.after = 'zones';
    if (app.avail) {
      go('zones');
    } else {
      app.loadingText = 'Loading the box office…';
      go('loading');
    }
    availPoller.start(0);
  }

  function resumeOrBrowse() {
    if (app.hold && local(app.hold.expiresAt) > Date.now() && accessValid()) {
      app.after = 'held';
      go(app.avail ? 'held' : 'loading');
      availPoller.start(0);
      return;
    }
    setHold(null);
    if (accessValid()) {
      admitted();
      return;
    }
    setAccess(null);
    if (app.queueToken) {
      join();
      return;
    }
    browse();
  }

  function join() {
    app.flash = null;
    app.busy = true;
    app.joined = false;
    if (app.view === 'expired') {
      forgetQueue();
    }
    app.loadingText = app.queueToken ? 'Finding your place in the queue…' : 'Getting you in…';
    if (app.view === 'zones') {
      render();
    } else {
      go('loading');
    }
    queuePoller.start(0);
  }

  function admitted() {
    queuePoller.stop();
    app.after = 'admitted';
    go(app.avail ? 'admitted' : 'loading', { keepFlash: true });
    availPoller.start(0);
  }

  function onQueue(q, retryAfterMs) {
    if (q.queueToken) {
      app.queueToken = q.queueToken;
      store.set('queueToken', q.queueToken);
    }
    const before = app.queue;
    app.queue = q;
    app.lastChecked = Date.now();
    const next = (retryAfterMs != null ? retryAfterMs : 5000) + Math.random() * 750;
    switch (q.state) {
      case 'admitted':
        setAccess({ token: q.accessToken || null, expiresAt: q.accessExpiresAt || null });
        admitted();
        return null;
      case 'lobby':
        go('lobby');
        return next;
      case 'waiting': {
        const moved = before && before.state === 'waiting' && before.position !== q.position;
        const pauseChanged = Boolean(q.paused) !== Boolean(before && before.state === 'waiting' && before.paused);
        go('waiting');
        if (pauseChanged) {
          postState();
          announce(q.paused ? `Admission is paused. ${q.message || ''}` : 'Admission has resumed: the queue is moving again.');
        }
        if (moved) {
          postState();
          const t = Date.now();
          if (q.position <= 10 || t - app.lastAnnounced > 15000) {
            app.lastAnnounced = t;
            announce(q.position === 1 ? "You're next in the queue." : `You are now number ${count(q.position)} in the queue.`);
          }
        }
        return next;
      }
      case 'sold_out':
        go('sold_out');
        return next;
      case 'expired':
        forgetQueue();
        app.expiredText = q.message || 'Your place in the queue has expired.';
        go('expired');
        return null;
      default:
        throw new Error(`unknown queue state ${q.state}`);
    }
  }

  function accessEnded() {
    if (app.view !== 'admitted' || app.busy) {
      return; // a hold has its own clock; an answer in flight decides
    }
    setAccess(null);
    forgetQueue();
    app.expiredText = 'Your time to buy ran out before a purchase was made.';
    go('expired');
  }

  function holdExpired() {
    if (app.view !== 'held' || app.busy) {
      return;
    }
    setHold(null);
    app.attempt = null;
    app.flash = { kind: 'info', text: 'Your hold ended, so the seats went back on sale. You have not been charged. Choose your seats again.' };
    afterHold();
  }

  function afterHold() {
    if (accessValid()) {
      app.after = 'admitted';
      go('admitted', { keepFlash: true });
      availPoller.start(0);
    } else {
      setAccess(null);
      forgetQueue();
      app.flash = null;
      app.expiredText = 'Your time to buy has ended.';
      go('expired');
    }
  }

  function startOver() {
    purchasePoller.stop();
    store.set('purchase', null);
    app.purchase = null;
    app.purchaseId = null;
    app.attempt = null;
    app.flash = null;
    resumeOrBrowse();
  }

  function openPurchase(id) {
    queuePoller.stop();
    app.after = null;
    app.purchaseId = id;
    app.purchase = null;
    app.loadingText = 'Looking up your purchase…';
    go('loading');
    purchasePoller.start(0);
  }

  function showPurchase(p) {
    app.purchase = p;
    app.purchaseId = p.purchaseId;
    store.set('purchase', p.purchaseId);
    const emitted = `${p.purchaseId}:${p.status}`;
    if (emitted !== app.purchaseEmitted) {
      app.purchaseEmitted = emitted;
      post({ type: 'onsale:purchase', detail: { purchaseId: p.purchaseId, status: p.status, orderId: p.orderId, seats: p.seats } });
    }
    if (!app.avail && !availPoller.active) {
      availPoller.start(0); // zone names
    }
    if (p.status === 'confirmed' || p.status === 'failed') {
      if (app.hold) {
        setHold(null);
      }
      purchasePoller.stop();
      availPoller.start(0);
      go(p.status);
    } else {
      go('parked');
      if (!purchasePoller.active) {
        purchasePoller.start(2000);
      }
    }
  }

  async function holdSeats() {
    const zone = selectedZone();
    if (!zone) {
      return;
    }
    app.busy = true;
    app.flash = null;
    render();
    try {
      const { data } = await api('POST', '/holds', {
        body: { performanceId: PERF, zoneId: zone.zoneId, quantity: app.sel.quantity },
        token: app.access && app.access.token,
      });
      app.busy = false;
      app.attempt = null;
      setHold(data);
      go('held');
      focusField('pay-token');
    } catch (e) {
      app.busy = false;
      actionFailed(e, 'hold');
    }
  }

  async function release() {
    const hold = app.hold;
    app.busy = true;
    render();
    try {
      await api('DELETE', `/holds/${encodeURIComponent(hold.holdId)}`, { token: app.access && app.access.token });
    } catch (e) {
      if (e.status !== 404 && e.status !== 410) {
        app.busy = false;
        app.flash = {
          kind: 'error',
          text: `We couldn't release your seats just now (${e.status === 0 ? 'no connection' : 'the box office is busy'}). They will be released automatically at ${clock(local(hold.expiresAt))}, or try again.`,
        };
        render();
        return;
      }
    }
    app.busy = false;
    setHold(null);
    app.attempt = null;
    app.flash = { kind: 'info', text: 'Your seats were released. You have not been charged.' };
    afterHold();
  }

  async function pay(kind) {
    if (app.busy) {
      return;
    }
    const token = app.form.token.trim();
    const email = app.form.email.trim();
    if (!token) {
      app.flash = { kind: 'error', text: 'Enter your payment token.', field: 'token' };
      render();
      focusField('pay-token');
      return;
    }
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
      app.flash = { kind: 'error', text: 'Enter your email address, for example name@example.com.', field: 'email' };
      render();
      focusField('pay-email');
      return;
    }
    const path = kind === 'checkout' ? `/holds/${encodeURIComponent(app.hold.holdId)}/checkout` : '/purchases';
    // One Idempotency-Key per attempt. After an answer we never got, the very same request is sent again with the
    // same key (the form is locked meanwhile), so a retry can never buy twice.
    if (!app.attempt || app.attempt.path !== path) {
      app.attempt = { path, key: uuid(), tries: 0, locked: false };
    }
    const attempt = app.attempt;
    if (!attempt.locked) {
      const zone = selectedZone();
      if (kind === 'buy' && !zone) {
        app.attempt = null;
        app.flash = { kind: 'error', text: 'Every zone is sold out right now, so there is nothing to buy.' };
        render();
        return;
      }
      attempt.body = kind === 'checkout'
        ? { paymentToken: token, email }
        : { performanceId: PERF, zoneId: zone.zoneId, quantity: app.sel.quantity, paymentToken: token, email };
    }
    attempt.tries += 1;
    app.busy = true;
    app.flash = attempt.locked ? { kind: 'info', text: "Checking whether your payment went through… You won't be charged twice." } : null;
    render();
    try {
      const { data } = await api('POST', path, { body: attempt.body, key: attempt.key, token: app.access && app.access.token });
      app.busy = false;
      app.attempt = null;
      app.flash = null;
      showPurchase(data);
    } catch (e) {
      app.busy = false;
      const free = e.status === 429 || e.code === 'backend_unavailable' || e.code === 'availability_unknown';
      if (e.status === 0 || (e.status >= 500 && !free)) {
        attempt.locked = true; // outcome unknown: only the same request may follow
        if (attempt.tries <= 3) {
          const delay = 2000 * 2 ** (attempt.tries - 1);
          app.flash = {
            kind: 'error',
            text: `We didn't hear back from the box office, so we don't know yet whether your payment went through. We'll check again in ${Math.round(delay / 1000)} s — you won't be charged twice.`,
          };
          render();
          setTimeout(() => {
            if (app.attempt === attempt && !app.busy) {
              pay(kind);
            }
          }, delay);
          return;
        }
        app.flash = {
          kind: 'error',
          text: "We still can't reach the box office, so we don't know whether your payment went through. Check your connection, then select Try again: it is safe, you won't be charged twice.",
        };
        render();
        return;
      }
      if (free) {
        attempt.locked = false;
      } else {
        app.attempt = null;
      }
      actionFailed(e, kind);
    }
  }

  function actionFailed(e, kind) {
    const wait = e.retryAfterMs ? Math.ceil(e.retryAfterMs / 1000) : 0;
    // Only a rate limit blocks the buttons: after a busy answer the other way to buy may still work.
    app.retryAt = e.code === 'rate_limited' ? Date.now() + Math.max(wait, 2) * 1000 : 0;
    const zone = app.view === 'held' && app.hold ? zoneById(app.hold.zoneId) : selectedZone();
    const zoneName = zone ? zone.name : 'this zone';
    const paying = kind !== 'hold';
    const later = wait ? ` Try again in about ${plural(wait, 'second', 'seconds')}` : ' Try again in a moment';
    let text;
    switch (e.code) {
      case 'network':
        text = "We couldn't reach the box office, so nothing happened. Check your connection and try again.";
        break;
      case 'not_enough_seats': {
        const left = e.problem.available;
        text = typeof left === 'number'
          ? (left > 0 ? `Only ${plural(left, 'seat is', 'seats are')} left in ${zoneName}. Choose ${left} or fewer, or another zone.` : `${zoneName} has just sold out. Choose another zone.`)
          : `There aren't enough seats left in ${zoneName}. Choose fewer tickets or another zone.`;
        if (kind === 'checkout') {
          setHold(null);
        }
        app.buyNow = false;
        availPoller.start(0);
        break;
      }
      case 'payment_declined':
        text = kind === 'checkout'
          ? 'Your payment was declined, so nothing was bought. Your seats are still held: check the payment details or use another payment method, then try again.'
          : 'Your payment was declined, so nothing was bought. Check the payment details or use another payment method, then try again.';
        break;
      case 'hold_expired':
      case 'unknown_hold':
        setHold(null);
        app.flash = { kind: 'error', text: 'Your hold ran out, so the seats went back on sale. You have not been charged. Choose your seats again.' };
        afterHold();
        return;
      case 'backend_unavailable':
        text = kind === 'hold'
          ? `The box office is too busy to hold seats right now. Nothing was held.${later}, or use Buy now: we'll take your request and confirm it here.`
          : `The box office is too busy to take payments right now. Nothing was charged.${later}.`;
        break;
      case 'availability_unknown':
        text = `The box office isn't answering and we can't safely take your purchase without knowing which seats are free. Nothing was charged.${later}.`;
        break;
      case 'rate_limited':
        text = 'Too many attempts in a short time. Please wait a moment.';
        break;
      case 'invalid_token':
        setAccess(null);
        forgetQueue();
        app.flash = { kind: 'error', text: 'Your time to buy has ended, so we are putting you back in the queue. You have not been charged.' };
        app.busy = true;
        go('loading', { keepFlash: true });
        queuePoller.start(0);
        return;
      case 'validation_failed':
        text = `Please check your details: ${e.problem.detail || 'something is missing.'}`;
        break;
      case 'idempotency_key_required':
      case 'idempotency_key_reused':
        text = 'Your request could not be sent properly. Nothing was charged. Please try again.';
        break;
      case 'unknown_performance':
        unavailable({ title: 'This performance is no longer on sale', text: `We couldn't find performance ${PERF}.`, next: "Please check the venue's website." });
        return;
      default:
        text = `${e.problem.title || 'Something went wrong.'} ${e.problem.detail || ''} ${paying ? 'Nothing was charged. ' : ''}Please try again.`.replace(/\s+/g, ' ');
    }
    app.flash = { kind: 'error', text };
    if (app.view === 'held' && !app.hold) {
      afterHold(); // the hold is gone: back to choosing, with the reason on screen
      return;
    }
    render();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Start

  function reportBug(error) {
    console.error('[OnSale widget]', error);
    if (!app.fatal) {
      app.fatal = true;
      renderNotices();
    }
  }
  window.addEventListener('error', (event) => {
    if (!/ResizeObserver loop/.test(event.message || '')) {
      reportBug(event.error || event.message);
    }
  });
  window.addEventListener('unhandledrejection', (event) => reportBug(event.reason));

  if (!hostOk) {
    unavailable({
      title: "This box office can't open here",
      text: `It was set up for ${config.host}, but it is shown inside another page.`,
      next: "Please buy from the venue's own website.",
    });
    return;
  }

  renderNotices(true);
  noticePoller.start(0);
  perfPoller.start(0);
  const purchase = config.purchaseId || store.get('purchase');
  if (purchase) {
    openPurchase(purchase);
  } else {
    resumeOrBrowse();
  }
  render();
  postState();
})();

// How a venue page can react to the box office widget: listen for its DOM events. They bubble from the widget's
// container up to document, so a listener on either works; event.detail carries the news.
(() => {
  'use strict';
  // Looked up when an event arrives: this script runs before the rest of the page is parsed.
  const status = (text) => {
    document.getElementById('ticket-status').textContent = text;
  };

  const write = (type, detail) => {
    const log = document.getElementById('event-log');
    const item = document.createElement('li');
    item.textContent = `${new Date().toLocaleTimeString()} ${type} ${JSON.stringify(detail)}`;
    log.prepend(item);
    while (log.children.length > 50) {
      log.lastElementChild.remove();
    }
  };

  const describe = (d) => ({
    loading: 'The box office is loading…',
    zones: 'Tickets are on sale.',
    lobby: 'You are in the waiting room: sales have not opened yet.',
    waiting: `You are in the queue${d.position ? ` (number ${d.position})` : ''}.`,
    admitted: 'It is your turn: choose your seats.',
    held: 'Your seats are held: pay before the timer runs out.',
    parked: 'Your request is in; it will be confirmed in the box office.',
    confirmed: 'Booked! See you at the Royal Hall.',
    failed: 'The purchase did not go through: see the box office for what to do.',
    sold_out: 'Sold out for now.',
    expired: 'Your turn has ended: you can join the queue again.',
    offline: 'The box office cannot be reached right now; it keeps trying.',
    unavailable: 'Tickets for this performance are not available here.',
  }[d.state] || `Box office: ${d.state}`);

  document.addEventListener('onsale:state', (event) => {
    write('onsale:state', event.detail);
    status(describe(event.detail));
  });
  document.addEventListener('onsale:purchase', (event) => {
    write('onsale:purchase', event.detail);
    if (event.detail.status === 'confirmed') {
      status(`Booked! Order ${event.detail.orderId}. See you at the Royal Hall.`);
    }
  });
})();

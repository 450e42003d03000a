import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A shop whose way to the checkout a test can change between runs, for path and trajectory tests. On 127.0.0.1 and
 * one free port for the site's life, so child Vitest runs that share it see the same URLs.
 *   /shop        "Shop", an "Add to cart" link to /cart
 *   /cart        "Cart", with a toast "Added to cart" for `toastMs` after it loads, and a "Checkout" link to
 *                /checkout?sid=<n> (n counts up: a session id that differs on every visit) — or, with `detour` on,
 *                to /login, whose "Continue" link goes on to the checkout
 *   /checkout    "Checkout", a "Continue" button that does nothing (so one script fits both ways) and a
 *                "Place order" link to /thanks
 *   /thanks      "Thank you"
 * Static pages, system fonts: an unchanged page renders to the same JPEG.
 */
export interface DetourSite {
  url: string;
  /** Send the checkout link through /login from now on. */
  detour: boolean;
  close(): Promise<void>;
}

export async function startDetourSite(options: { toastMs?: number; leaveMs?: number } = {}): Promise<DetourSite> {
  const { toastMs = 1000, leaveMs = LEAVE_MS } = options;
  let sessions = 0;
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://shop');
    const send = (title: string, body: string, head = '') => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      // A link is followed `leaveMs` after its click, between the run's captures (see detourScript).
      const leave = `<script>document.addEventListener('click', (event) => { const link = event.target.closest('a'); if (!link) return;
event.preventDefault(); setTimeout(() => { location.href = link.href; }, ${leaveMs}); });</script>`;
      response.end(`<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>${head}${leave}
<style>body{font-family:sans-serif;margin:32px;font-size:20px}a{font-size:24px}
#toast{position:fixed;top:24px;right:24px;padding:20px 32px;background:#222;color:#fff;font-size:40px;border-radius:8px}</style>
</head><body>${body}</body></html>`);
    };
    switch (url.pathname) {
      case '/shop':
        return send('Shop', '<h1>Shop</h1><p>One blue mug.</p><p><a href="/cart">Add to cart</a></p>');
      case '/cart': {
        const checkout = site.detour ? '/login' : `/checkout?sid=${++sessions}`;
        return send(
          'Cart',
          `<h1>Cart</h1><p>1 × blue mug</p><p><a href="${checkout}">Checkout</a></p>
<div id="toast">Added to cart</div><script>setTimeout(() => document.getElementById('toast').remove(), ${toastMs})</script>`,
        );
      }
      case '/login':
        return send('Log in', `<h1>Log in</h1><p>Signed in as Ada.</p><p><a href="/checkout?sid=${++sessions}">Continue</a></p>`);
      case '/checkout':
        return send('Checkout', '<h1>Checkout</h1><p><button type="button">Continue</button></p><p><a href="/thanks">Place order</a></p>');
      case '/thanks':
        return send('Thank you', '<h1>Thank you</h1><p>Your mug is on its way.</p>');
    }
    response.writeHead(404, { 'content-type': 'text/html' });
    response.end('<title>Not found</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const site: DetourSite = {
    url: `http://127.0.0.1:${port}`,
    detour: false,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return site;
}

/** How long after its click a link is followed. */
const LEAVE_MS = 2000;
/** The agent's pause after each step: the next step's capture lands on a page that finished loading. */
const PAUSE_MS = 3500;

/**
 * The scripted agent's checkout on that site: the same steps with or without the detour ("Continue" goes on from
 * /login, and does nothing on the checkout). A run captures when a step's THOUGHT arrives, which the emulator posts
 * just before the step runs, so a capture may land in the middle of a navigation (Chromium then reports the old URL
 * with a "Loading …" title): here links are followed LEAVE_MS after the click, when the step's captures are taken,
 * and the next step comes PAUSE_MS after it, when the new page has loaded.
 */
export function detourScript(site: string): string {
  return [`go to ${site}/shop`, 'click "Add to cart"', 'click "Checkout"', 'click "Continue"', 'click "Place order"']
    .flatMap((step) => [step, `wait ${PAUSE_MS}`])
    .concat('done "Ordered one blue mug"')
    .join('\n');
}

/** To the cart and a moment on it: the cart's toast shows for `toastMs` after it loads, then only the cart is left. */
export function toastScript(site: string): string {
  return [`go to ${site}/shop`, 'wait 1000', 'click "Add to cart"', `wait ${LEAVE_MS + 3000}`, 'done "Added a mug to the cart"'].join('\n');
}

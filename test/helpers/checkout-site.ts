import { createServer } from 'node:http';
import { listenOnLoopback } from './local-server.js';

/**
 * A small shop for agent runs, on 127.0.0.1 and a free port. Static pages, system fonts, no dates or animations:
 * the same page renders to the same JPEG every time, so consecutive captures of it are byte-identical.
 *   /shop        title "Shop", an "Add to cart" link to /cart
 *   /cart        title "Cart", a "Checkout" link to /checkout
 *   /checkout    title "Checkout", an "Email" field and a "Pay" button (a GET form to /thanks)
 *   /thanks      title "Thank you", echoes the email
 *   /color/<c>   a page in one colour, titled with it
 */
export async function startCheckoutSite(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://shop');
    const send = (title: string, body: string, background = '#fff') => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>html,body{background:${background}}body{font-family:sans-serif;margin:24px}</style></head><body>${body}</body></html>`);
    };
    switch (url.pathname) {
      case '/shop':
        return send('Shop', '<h1>Shop</h1><p>One blue mug, €12.</p><p><a href="/cart">Add to cart</a></p>', '#e8f0ff');
      case '/cart':
        return send('Cart', '<h1>Cart</h1><p>1 × blue mug</p><p><a href="/checkout">Checkout</a></p>', '#fff4e0');
      case '/checkout':
        return send(
          'Checkout',
          '<h1>Checkout</h1><form action="/thanks" method="get"><p><label for="email">Email</label> <input id="email" name="email"></p><p><button type="submit">Pay</button></p></form>',
          '#f0fff0',
        );
      case '/thanks':
        return send('Thank you', `<h1>Thank you</h1><p>Receipt sent to ${escape(url.searchParams.get('email') ?? '')}.</p>`, '#f8e8ff');
    }
    if (url.pathname.startsWith('/color/')) {
      const color = decodeURIComponent(url.pathname.slice('/color/'.length));
      return send(color, `<h1>${escape(color)}</h1>`, escape(color));
    }
    response.writeHead(404, { 'content-type': 'text/html' });
    response.end('<title>Not found</title>');
  });
  return listenOnLoopback(server);
}

/** The checkout as a scripted-agent message: four pages, with a pause on each so every step is captured. */
export function checkoutScript(site: string, pauseMs = 600): string {
  return [
    `go to ${site}/shop`,
    `wait ${pauseMs}`,
    'click "Add to cart"',
    `wait ${pauseMs}`,
    'click "Checkout"',
    `wait ${pauseMs}`,
    'fill "Email" with "ada@example.com"',
    'click "Pay"',
    `wait ${pauseMs}`,
    'done "Paid for one blue mug"',
  ].join('\n');
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

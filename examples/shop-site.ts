import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Tiny Shop: the site the example agent tests shop on, served by the demo itself on 127.0.0.1.
 *   /             the shop: two products, each with a "Buy the …" button
 *   /checkout     the order form (name, email, size) for ?item=mug|tshirt
 *   /thank-you    the confirmation, showing what was ordered
 * Static HTML, system fonts, no animations or dates: the same page renders to the same JPEG every time.
 */
export async function startShopSite(port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://shop');
    const page = PAGES[url.pathname];
    if (!page) {
      response.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      response.end(layout('Not found — Tiny Shop', '<h1>Not found</h1><p><a href="/">Back to the shop</a></p>'));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(page(url.searchParams));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const PRODUCTS: Record<string, { name: string; button: string; price: string; colour: string; sized: boolean }> = {
  mug: { name: 'Mug', button: 'Buy the mug', price: '€12', colour: '#e07a5f', sized: false },
  tshirt: { name: 'T-shirt', button: 'Buy the T-shirt', price: '€25', colour: '#3d5a80', sized: true },
};

const PAGES: Record<string, (query: URLSearchParams) => string> = {
  '/': () =>
    layout(
      'Tiny Shop',
      `<h1>Tiny Shop</h1>
<p class="lead">Two things, both good.</p>
<div class="products">
${Object.entries(PRODUCTS)
  .map(
    ([id, p]) => `<section class="product">
  <div class="picture" style="background:${p.colour}"></div>
  <h2>${p.name}</h2><p class="price">${p.price}</p>
  <a class="button" href="/checkout?item=${id}">${p.button}</a>
</section>`,
  )
  .join('\n')}
</div>`,
    ),

  '/checkout': (query) => {
    const id = query.get('item') ?? 'mug';
    const product = PRODUCTS[id] ?? PRODUCTS.mug!;
    return layout(
      'Checkout — Tiny Shop',
      `<h1>Checkout</h1>
<p class="lead">One ${product.name}, ${product.price}.</p>
<form action="/thank-you" method="get">
  <input type="hidden" name="item" value="${id}">
  <label for="name">Name</label><input id="name" name="name" autocomplete="off">
  <label for="email">Email</label><input id="email" name="email" type="email" placeholder="you@example.com" autocomplete="off">
  ${
    product.sized
      ? `<label for="size">Size</label><select id="size" name="size"><option>S</option><option selected>M</option><option>L</option></select>`
      : ''
  }
  <button type="submit">Place order</button>
</form>
<p><a href="/">Back to the shop</a></p>`,
    );
  },

  '/thank-you': (query) => {
    const product = PRODUCTS[query.get('item') ?? ''] ?? PRODUCTS.mug!;
    const size = query.get('size');
    return layout(
      'Thank you — Tiny Shop',
      `<h1>Thank you, ${escapeHtml(query.get('name') || 'friend')}!</h1>
<p class="lead">Your ${product.name}${size ? ` (size ${escapeHtml(size)})` : ''} is on its way to ${escapeHtml(query.get('email') || 'you')}.</p>
<p><a href="/">Keep shopping</a></p>`,
    );
  },
};

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>
  body { font-family: sans-serif; margin: 0; color: #222; background: #f7f5f0; }
  header { background: #222; color: #fff; padding: 14px 32px; font-weight: bold; }
  main { padding: 24px 32px; max-width: 760px; }
  .lead { font-size: 18px; color: #555; }
  .products { display: flex; gap: 24px; }
  .product { background: #fff; border-radius: 8px; padding: 16px; width: 220px; }
  .picture { height: 120px; border-radius: 6px; }
  .price { color: #555; }
  .button, button { display: inline-block; background: #2a9d8f; color: #fff; border: 0; border-radius: 6px;
    padding: 10px 16px; font-size: 16px; text-decoration: none; cursor: pointer; }
  form { display: grid; grid-template-columns: 120px 280px; gap: 12px; align-items: center; }
  form button { grid-column: 2; justify-self: start; }
  input, select { font-size: 16px; padding: 6px; }
</style></head>
<body><header>Tiny Shop</header><main>${body}</main></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// A "live-like" shop page for `npm run bench:live`: what real agents see on real sites, on a local node:http server.
// It moves on its own: a ticking clock (every second), a banner that rotates between two states (every 3 s from
// load), the caret blinking in the focused search field (Chromium: every 500 ms), a spinner while the
// recommendations load, and those recommendations arriving late (LATE_MS after load).
// `?regression=<name>` switches on one seeded regression (REGRESSIONS); without it the page is unchanged.
import http from 'node:http';

/** When the late content arrives, in ms after the page's script starts. */
export const LATE_MS = 900;
/** How long each banner state stays, in ms; state A first. */
export const BANNER_MS = 3000;

/** The seeded regressions: each a switch on the site, each one a change a reviewer would want a test to catch. */
export const REGRESSIONS = {
  price: 'one price digit ($12.50 → $13.50)',
  button: 'a missing "Add to cart" button',
  error: 'an error banner',
  shift: 'a 12 px layout shift of the product grid',
  name: 'a changed product name (Ceramic Mug → Ceramic Cup)',
  colour: 'a colour change (the "Add to cart" buttons green → blue)',
};

/**
 * Where each regression shows at 1280×720 (what it changed, and for the error banner and the shift, everything they
 * push down): a catch is "located" when one of the failure's changed regions overlaps it.
 */
export const REGRESSION_AREAS = {
  price: { x: 30, y: 318, width: 80, height: 32 },
  button: { x: 340, y: 350, width: 140, height: 48 },
  error: { x: 0, y: 104, width: 1280, height: 616 },
  shift: { x: 0, y: 104, width: 1280, height: 616 },
  name: { x: 30, y: 295, width: 140, height: 30 },
  colour: { x: 30, y: 350, width: 1230, height: 48 },
};

/** Where the moving parts are at 1280×720 (CSS px = screenshot px at device scale 1): the `mask` recipe covers them. */
export const LIVE_REGIONS = {
  search: { x: 560, y: 10, width: 300, height: 36 },
  clock: { x: 1100, y: 0, width: 180, height: 56 },
  banner: { x: 0, y: 56, width: 1280, height: 48 },
};

const PRODUCTS = [
  { name: 'Ceramic Mug', price: '$12.50', hue: 24 },
  { name: 'Linen T-shirt', price: '$29.00', hue: 200 },
  { name: 'Oak Coaster Set', price: '$18.75', hue: 110 },
  { name: 'Wool Beanie', price: '$22.40', hue: 300 },
];
const RECOMMENDED = ['Enamel Pin', 'Canvas Tote', 'Desk Plant', 'Postcard Pack', 'Brass Keyring'];

function page(regression) {
  const products = PRODUCTS.map((p, i) => {
    const name = regression === 'name' && i === 0 ? 'Ceramic Cup' : p.name;
    const price = regression === 'price' && i === 0 ? '$13.50' : p.price;
    const button = regression === 'button' && i === 1 ? '' : '<button>Add to cart</button>';
    return `<div class="card"><div class="art" style="background: linear-gradient(135deg, hsl(${p.hue} 70% 62%), hsl(${(p.hue + 60) % 360} 60% 40%))"></div><h3>${name}</h3><p class="price">${price}</p>${button}</div>`;
  }).join('');
  const error = regression === 'error' ? '<div class="error" role="alert">We could not load your cart. Try again in a moment.</div>' : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tiny Shop — live</title><style>
  * { box-sizing: border-box; } body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: #1f2328; background: #f6f8fa; }
  header { position: relative; height: 56px; padding: 0 24px; background: #24292f; color: #f6f8fa; display: flex; align-items: center; }
  header b { font-size: 20px; } #q { position: absolute; left: 570px; top: 13px; width: 280px; height: 30px; padding: 0 8px; font: inherit; border: 1px solid #57606a; border-radius: 6px; outline: none; }
  #clock { position: absolute; right: 24px; top: 14px; font: 600 20px/28px monospace; }
  .banner { height: 48px; display: flex; align-items: center; justify-content: center; font-weight: 700; font-size: 17px; }
  .banner.a { background: #ddf4ff; color: #0550ae; } .banner.b { background: #fff1e5; color: #953800; }
  .error { margin: 12px 24px 0; padding: 10px 14px; background: #ffebe9; color: #82071e; border: 1px solid #ff8182; border-radius: 6px; font-weight: 600; }
  .grid { display: grid; grid-template-columns: repeat(4, 1fr); gap: 18px; padding: 0 24px; margin-top: ${regression === 'shift' ? 32 : 20}px; }
  .card { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 12px; height: 292px; }
  .art { height: 150px; border-radius: 6px; } h3 { margin: 10px 0 2px; font-size: 17px; } .price { margin: 0 0 10px; font-size: 16px; font-weight: 600; }
  button { height: 34px; padding: 0 16px; font: inherit; font-weight: 600; color: #fff; background: ${regression === 'colour' ? '#0969da' : '#1f883d'}; border: 0; border-radius: 6px; }
  .recs { margin: 18px 24px; padding: 12px 16px; height: 130px; background: #fff; border: 1px solid #d0d7de; border-radius: 8px; }
  .recs h2 { margin: 0 0 8px; font-size: 17px; } .recs ul { display: flex; gap: 12px; margin: 0; padding: 0; list-style: none; }
  .recs li { flex: 1; height: 64px; padding: 8px; border-radius: 6px; background: #eef1f4; }
  .spinner { width: 44px; height: 44px; margin: 12px auto; border: 5px solid #d0d7de; border-top-color: #0969da; border-radius: 50%; animation: spin 0.8s linear infinite; }
  @keyframes spin { to { transform: rotate(360deg); } }
</style></head><body>
<header><b>Tiny Shop</b><input id="q" value="mugs" autocomplete="off" autofocus aria-label="Search"><span id="clock"></span></header>
<div id="banner" class="banner a">Free shipping on orders over $50</div>
${error}<div class="grid">${products}</div>
<section class="recs"><h2>Recommended for you</h2><div id="recs"><div class="spinner"></div></div></section>
<script>
  const start = performance.now();
  const clock = document.getElementById('clock');
  const pad = (n) => String(n).padStart(2, '0');
  const tick = () => { const d = new Date(); clock.textContent = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()); };
  tick();
  setTimeout(function everySecond() { tick(); setTimeout(everySecond, 1000 - (Date.now() % 1000)); }, 1000 - (Date.now() % 1000));
  const banner = document.getElementById('banner');
  setInterval(() => {
    const b = Math.floor((performance.now() - start) / ${BANNER_MS}) % 2 === 1;
    banner.className = 'banner ' + (b ? 'b' : 'a');
    banner.textContent = b ? 'Winter sale: 20% off everything' : 'Free shipping on orders over $50';
  }, 50);
  const q = document.getElementById('q'); q.focus(); q.setSelectionRange(4, 4);
  setTimeout(() => {
    document.getElementById('recs').innerHTML = '<ul>' + ${JSON.stringify(RECOMMENDED)}.map((n) => '<li>' + n + '</li>').join('') + '</ul>';
  }, ${LATE_MS});
</script></body></html>`;
}

/** Starts the site on 127.0.0.1, port 0. GET / (optionally ?regression=<name>) is the page; anything else is a 404. */
export async function startLiveSite() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://site');
    const regression = url.searchParams.get('regression') ?? undefined;
    if (url.pathname !== '/' || (regression !== undefined && !(regression in REGRESSIONS))) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('not found');
    }
    const body = page(regression);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

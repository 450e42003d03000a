// The bench's inputs: three self-contained pages (text-heavy docs, checkout form, image-heavy gallery made of
// CSS gradients and inline SVG) shot by the emulator's Chromium as JPEGs, the way a remote browser API shoots them.
import { setTimeout as sleep } from 'node:timers/promises';

export const SIZES = [
  { name: '1280x720', width: 1280, height: 720 },
  { name: '1920x1080', width: 1920, height: 1080 },
];
export const PAGES = ['text', 'form', 'media'];

// Playwright hides the caret by default; the AGI API's CDP capture does not, so neither do we.
const SHOT = { type: 'jpeg', quality: 80, caret: 'initial', animations: 'allow' };

const WORDS = (
  'a cart collects the products a shopper intends to buy together with the quantities the currency and any discount ' +
  'codes applied so far carts are created by the first call and are owned by the key that created them prices in a cart ' +
  'are snapshots copied from the product when the item is added and do not follow later price changes the response is ' +
  'the whole cart so a client never needs a second request to redraw its basket quantities above the stock level are ' +
  'accepted and reported in warnings checkout rejects them later with a conflict webhooks deliver every state change ' +
  'at least once and in order per cart retries back off exponentially for up to three days'
).split(' ');

/** Deterministic filler text: paragraph `i` of `n` words. */
function paragraph(i, n) {
  const out = [];
  for (let k = 0; k < n; k++) out.push(WORDS[(i * 31 + k * 7) % WORDS.length]);
  out[0] = out[0][0].toUpperCase() + out[0].slice(1);
  return `${out.join(' ')}.`;
}

function textPage(changed) {
  // The change: one word and one digit, as a reviewer would miss them ("30 minutes" → "30 seconds", v2 → v3).
  const expiry = changed ? 'The cart expires after 30 seconds of inactivity' : 'The cart expires after 30 minutes of inactivity';
  const version = changed ? 'v3' : 'v2';
  const paras = Array.from({ length: 16 }, (_, i) => `<p>${paragraph(i, 70)}</p>`).join('\n');
  const rows = Array.from({ length: 10 }, (_, i) => `<tr><td><code>field_${i}</code></td><td>${i % 2 ? 'string' : 'integer'}</td><td>${paragraph(i + 40, 12)}</td></tr>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Carts — Shop API docs</title><style>
  * { box-sizing: border-box; } body { margin: 0; font: 15px/1.55 system-ui, sans-serif; color: #1f2328; background: #fff; }
  header { display: flex; align-items: center; gap: 28px; height: 52px; padding: 0 24px; background: #24292f; color: #f6f8fa; }
  header input { margin-left: auto; width: 240px; height: 30px; padding: 0 8px; font: inherit; border: 1px solid #57606a; border-radius: 6px; background: #fff; color: #1f2328; outline: none; }
  .wrap { display: flex; } nav { width: 230px; flex: none; padding: 20px 24px; background: #f6f8fa; border-right: 1px solid #d0d7de; font-size: 14px; }
  nav a { display: block; padding: 3px 0; color: #0969da; text-decoration: none; }
  main { padding: 18px 40px; columns: 2 420px; column-gap: 40px; } h1 { margin: 0 0 8px; font-size: 28px; }
  p { margin: 0 0 10px; } code { font: 13px/1.4 monospace; background: #eff1f3; padding: 1px 4px; border-radius: 4px; }
  table { border-collapse: collapse; font-size: 13px; margin: 0 0 10px; } td { border: 1px solid #d0d7de; padding: 3px 8px; }
</style></head><body>
<header><b>Shop API ${version}</b><span>Guides</span><span>Reference</span><span>Changelog</span><input id="q" value="carts" autocomplete="off"></header>
<div class="wrap"><nav>${['Authentication', 'Products', 'Carts', 'Checkout', 'Orders', 'Refunds', 'Webhooks', 'Errors', 'Rate limits', 'Quickstart', 'Sandbox', 'Going live'].map((t) => `<a href="#">${t}</a>`).join('')}</nav>
<main><h1>Carts</h1><p>${expiry}; every write to the cart resets that clock. ${paragraph(99, 40)}</p>
<table>${rows}</table>
${paras}</main></div></body></html>`;
}

function formPage(changed) {
  // The change: the button row moved down by 12 px.
  const fields = ['Full name', 'Email', 'Card number', 'Billing address', 'City', 'Postcode', 'Country', 'Phone', 'Company', 'VAT number'];
  const inputs = fields
    .map((label, i) => `<label for="f${i}">${label}</label><input id="${i === 0 ? 'name' : `f${i}`}" value="${paragraph(i + 7, 3).slice(0, -1)}" autocomplete="off">`)
    .join('\n');
  const lines = Array.from({ length: 12 }, (_, i) => `<tr><td>${paragraph(i + 3, 3).slice(0, -1)} × ${1 + (i % 3)}</td><td>$${(12.5 + i * 7.25).toFixed(2)}</td></tr>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout — Shop</title><style>
  * { box-sizing: border-box; } body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: #1f2328; background: #f3f4f6; }
  header { height: 52px; padding: 14px 24px; background: #fff; border-bottom: 1px solid #d0d7de; font-weight: 700; }
  .page { display: flex; gap: 32px; max-width: 1400px; margin: 24px auto; padding: 0 24px; }
  form, aside { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 20px 24px; } form { flex: 1; columns: 2 300px; column-gap: 24px; }
  aside { width: 360px; flex: none; align-self: flex-start; } h1 { margin: 0 0 14px; font-size: 22px; column-span: all; }
  label { display: block; margin: 0 0 4px; font-size: 14px; font-weight: 600; }
  input { display: block; width: 100%; height: 36px; margin: 0 0 12px; padding: 0 10px; font: inherit; border: 1px solid #8c959f; border-radius: 6px; background: #fff; color: #1f2328; outline: none; }
  input:focus { border-color: #0969da; } .actions { column-span: all; margin-top: ${changed ? 20 : 8}px; }
  button { height: 40px; padding: 0 22px; font: inherit; font-weight: 600; color: #fff; background: #1f883d; border: 1px solid #1a7f37; border-radius: 6px; }
  table { width: 100%; border-collapse: collapse; font-size: 14px; } td { padding: 5px 0; border-bottom: 1px solid #eaeef2; } td:last-child { text-align: right; }
</style></head><body><header>Shop</header><div class="page">
<form onsubmit="return false"><h1>Checkout</h1>${inputs}<div class="actions"><button type="submit">Pay $173.50</button> <button type="button" style="background:#6e7781;border-color:#57606a">Back to cart</button></div></form>
<aside><h2>Order summary</h2><table>${lines}</table><p>${paragraph(5, 30)}</p></aside></div></body></html>`;
}

function mediaPage(changed) {
  // The change: one card's hue turned by 20°.
  const cards = Array.from({ length: 15 }, (_, i) => {
    const h = (i * 47) % 360;
    const svg = `<svg viewBox="0 0 200 120" preserveAspectRatio="xMidYMid slice"><defs><linearGradient id="g${i}" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${h} 80% 60%)"/><stop offset="1" stop-color="hsl(${(h + 90) % 360} 70% 35%)"/></linearGradient><radialGradient id="r${i}"><stop offset="0" stop-color="#fff" stop-opacity=".9"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs><rect width="200" height="120" fill="url(#g${i})"/><circle cx="${40 + ((i * 37) % 120)}" cy="${30 + ((i * 13) % 50)}" r="${18 + (i % 5) * 6}" fill="url(#r${i})"/><path d="M0 120 L${50 + (i % 4) * 10} ${55 + (i % 3) * 10} L${100 + (i % 5) * 8} 95 L${150 - (i % 3) * 9} ${45 + (i % 4) * 8} L200 120 Z" fill="hsl(${(h + 200) % 360} 40% 22%)" opacity=".85"/></svg>`;
    return `<figure class="card"${changed && i === 4 ? ' style="filter: hue-rotate(20deg)"' : ''}><div class="art" style="background: conic-gradient(from ${i * 24}deg at 30% 40%, hsl(${h} 70% 55%), hsl(${(h + 120) % 360} 70% 50%), hsl(${(h + 240) % 360} 70% 55%), hsl(${h} 70% 55%))">${svg}</div><figcaption>${paragraph(i + 11, 5)}</figcaption></figure>`;
  }).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Gallery — Photos</title><style>
  * { box-sizing: border-box; } body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #e6edf3; background: #0d1117; }
  header { display: flex; align-items: center; gap: 24px; height: 56px; padding: 0 24px; background: linear-gradient(90deg, #1f6feb, #8957e5 60%, #bf3989); font-weight: 700; }
  header input { margin-left: auto; width: 260px; height: 32px; padding: 0 10px; font: inherit; font-weight: 400; border: 0; border-radius: 16px; outline: none; }
  .hero { height: 220px; margin: 20px 24px; border-radius: 12px; background: radial-gradient(circle at 20% 30%, #ffb86c 0, transparent 40%), radial-gradient(circle at 75% 60%, #50fa7b 0, transparent 35%), radial-gradient(circle at 50% 120%, #bd93f9 0, transparent 60%), linear-gradient(135deg, #282a36, #44475a); }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 18px; padding: 0 24px 24px; }
  .card { margin: 0; background: #161b22; border: 1px solid #30363d; border-radius: 10px; overflow: hidden; }
  .art { height: 170px; position: relative; } .art svg { position: absolute; inset: 12px; width: calc(100% - 24px); height: calc(100% - 24px); border-radius: 8px; }
  figcaption { padding: 8px 12px; color: #8b949e; }
</style></head><body><header>Photos<span>Albums</span><span>Shared</span><input id="q" value="sunsets" autocomplete="off"></header>
<div class="hero"></div><div class="grid">${cards}</div></body></html>`;
}

const BUILDERS = { text: textPage, form: formPage, media: mediaPage };
export const TITLES = { text: 'Carts — Shop API docs', form: 'Checkout — Shop', media: 'Gallery — Photos' };
const FOCUS = { text: '#q', form: '#name', media: '#q' };

export async function launchChromium() {
  // Imported here, not at the top: the RSS children import this module's constants and must not load Playwright.
  // The emulator's discovery and flags (CHROME_PATH, else @sparticuz/chromium, else a system Chromium).
  const { launch } = await import('../test/fixtures/capture.mjs');
  return launch();
}

async function withPage(browser, html, size, use) {
  const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, deviceScaleFactor: 1 });
  try {
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    return await use(page);
  } finally {
    await context.close();
  }
}

/** Two shots of the focused page that differ only by the blinking caret (Chromium blinks every 500 ms). */
function shootCaretPair(browser, html, size, selector) {
  return withPage(browser, html, size, async (page) => {
    await page.focus(selector);
    let previous = await page.screenshot(SHOT);
    for (let attempt = 0; attempt < 20; attempt++) {
      await sleep(530);
      const current = await page.screenshot(SHOT);
      if (!current.equals(previous)) return [previous, current];
      previous = current;
    }
    throw new Error(`bench: the caret of ${selector} never blinked in 20 shots`);
  });
}

/**
 * Shoots every page at every size: `base` and `again` (two fresh contexts, nothing focused: an unchanged page),
 * `changed`, and `caretA`/`caretB` (the input focused, caret on and off).
 * Returns { [size]: { [page]: { base, again, changed, caretA, caretB } } } of JPEG Buffers.
 */
export async function capturePages() {
  const browser = await launchChromium();
  try {
    const shots = {};
    for (const size of SIZES) {
      shots[size.name] = {};
      // The pages in parallel: most of a caret pair's time is waiting for the blink.
      await Promise.all(
        PAGES.map(async (name) => {
          const [base, changed] = [BUILDERS[name](false), BUILDERS[name](true)];
          const shoot = (html) => withPage(browser, html, size, (page) => page.screenshot(SHOT));
          const [caretA, caretB] = await shootCaretPair(browser, base, size, FOCUS[name]);
          shots[size.name][name] = { base: await shoot(base), again: await shoot(base), changed: await shoot(changed), caretA, caretB };
        }),
      );
    }
    return { shots, chromium: browser.version() };
  } finally {
    await browser.close();
  }
}

/** A copy of a real JPEG whose frame header (SOFn) claims another size: a decompression bomb for the price of a header. */
export function withClaimedSize(jpeg, width, height) {
  const bytes = Buffer.from(jpeg);
  let offset = 2;
  while (offset + 9 <= bytes.length) {
    const marker = bytes[offset + 1];
    const length = bytes.readUInt16BE(offset + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      bytes.writeUInt16BE(height, offset + 5);
      bytes.writeUInt16BE(width, offset + 7);
      return bytes;
    }
    offset += 2 + length;
  }
  throw new Error('bench: no frame header in the JPEG');
}

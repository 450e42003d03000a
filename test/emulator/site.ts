import { createServer } from 'node:http';
import { listenOnLoopback } from '../helpers/local-server.js';

/**
 * A tiny site for the scripted agent's tests, on 127.0.0.1 and a free port:
 *   /                 links, buttons and plain text to click
 *   /about            a second page
 *   /form             a GET form: a labelled field, a placeholder field, a labelled <select>
 *   /result?…         echoes the submitted query in its title
 *   /color/<css>      a page filled with one colour, titled with it
 *   /cookie/set?v=…   sets a cookie, then shows it; /cookie shows the cookie this browser context sends
 *   /slow/<ms>/<css>  a colour page whose response starts after <ms> ms and whose body takes as long again
 */
export async function startSite(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://site');
    const send = (title: string, body: string, headers: Record<string, string> = {}) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers });
      response.end(`<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:sans-serif;margin:24px}</style></head><body>${body}</body></html>`);
    };
    const path = url.pathname;
    if (path === '/') {
      return send(
        'Home',
        `<h1>Home</h1>
<p><a href="/about">About us</a></p>
<p><button onclick="document.title='Clicked'">Buy now</button></p>
<p onclick="location.href='/about'">Plain text target</p>
<p><button onclick="document.title='Second'">Second button</button></p>`,
      );
    }
    if (path === '/about') return send('About', '<h1>About</h1><p><a href="/">Back home</a></p>');
    if (path === '/form') {
      return send(
        'Form',
        `<form action="/result" method="get">
<p><label for="name">Your name</label> <input id="name" name="name"></p>
<p><input name="email" placeholder="Email address"></p>
<p><label>Size <select name="size"><option value="s">Small</option><option value="m">Medium</option></select></label></p>
<p><button type="submit">Send</button></p>
</form>`,
      );
    }
    if (path === '/result') {
      const pairs = [...url.searchParams].map(([k, v]) => `${k}=${v}`).join(' ');
      return send(`Result: ${pairs}`, `<h1>Thanks</h1><p>${escape(pairs)}</p>`);
    }
    if (path.startsWith('/color/')) {
      const color = decodeURIComponent(path.slice('/color/'.length));
      return send(color, `<style>html,body{background:${escape(color)}}</style><h1>${escape(color)}</h1>`);
    }
    if (path === '/cookie/set') {
      const value = url.searchParams.get('v') ?? '';
      return send(`cookie set ${value}`, '<p>set</p>', { 'set-cookie': `v=${encodeURIComponent(value)}; Path=/` });
    }
    const slow = /^\/slow\/(\d+)\/(.+)$/.exec(path);
    if (slow) {
      const ms = Number(slow[1]);
      const color = escape(decodeURIComponent(slow[2]!));
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.write(`<!doctype html><html><head><title>${color}</title><style>html,body{background:${color}}</style></head><body>`);
        setTimeout(() => response.end(`<h1>${color}</h1></body></html>`), ms);
      }, ms);
      return;
    }
    if (path === '/cookie') return send(`cookie ${request.headers.cookie ?? 'none'}`, '<p>cookie</p>');
    response.writeHead(404, { 'content-type': 'text/html' });
    response.end('<title>Not found</title>');
  });
  return listenOnLoopback(server);
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

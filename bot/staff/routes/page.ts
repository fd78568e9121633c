// The console's page and its files: /staff (the page), console.js, console.css, and dom.js, the
// helpers every staff page loads first; and the console's other pages (the report, the studio).
import type restify from 'restify';
import { errorFields, type Logger } from '../../log.js';
import { sendError } from '../api.js';
import { CONSOLE_SECURITY_HEADERS, loadPageAssets, sendStaffAsset } from '../assets.js';

export function mountConsolePage(server: restify.Server): void {
  const assets = loadPageAssets('staff console', { html: 'index.html', js: 'console.js', css: 'console.css', dom: 'dom.js' });
  const page = (name: keyof typeof assets) =>
    async function staffAsset(_req: restify.Request, res: restify.Response) {
      sendStaffAsset(res, assets[name]);
    };
  server.get('/staff', page('html'));
  server.get('/staff/', page('html'));
  server.get('/staff/console.js', page('js'));
  server.get('/staff/console.css', page('css'));
  server.get('/staff/dom.js', page('dom'));
}

/**
 * A console page of its own, `/staff/<name>` with `<name>.js` and `<name>.css`: it holds no data,
 * but like the console's pages it is for staff only, so without a session the browser goes to the
 * console's login.
 */
export function mountSignedInPage(server: restify.Server, name: string, authenticate: (req: restify.Request) => Promise<unknown>, log: Logger): void {
  const assets = loadPageAssets(`staff ${name}`, { html: `${name}.html`, js: `${name}.js`, css: `${name}.css` });
  server.get(`/staff/${name}`, async function staffPage(req: restify.Request, res: restify.Response) {
    try {
      if (!(await authenticate(req))) {
        res.writeHead(303, { Location: '/staff', 'Cache-Control': 'no-store', ...CONSOLE_SECURITY_HEADERS });
        return void res.end();
      }
      sendStaffAsset(res, assets.html);
    } catch (err) {
      log.error({ err: errorFields(err) }, 'page failed');
      if (!res.headersSent) sendError(res, 500, 'Internal', 'kļūda serverī');
    }
  });
  server.get(`/staff/${name}.js`, async function staffPageScript(_req: restify.Request, res: restify.Response) {
    sendStaffAsset(res, assets.js);
  });
  server.get(`/staff/${name}.css`, async function staffPageStyles(_req: restify.Request, res: restify.Response) {
    sendStaffAsset(res, assets.css);
  });
}

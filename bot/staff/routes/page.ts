// The console's page and its files: /staff (the page), console.js, console.css, and dom.js, the
// helpers both staff pages load first (the report page too, see reports.ts).
import type restify from 'restify';
import { loadPageAssets, sendStaffAsset } from '../assets.js';

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

/**
 * The API explorer (GraphiQL) served entirely from the gateway's own origin: the page, its
 * script, styles, editor workers and icon all come from here, so it works on closed networks
 * that do not reach a CDN. The assets (GraphiQL bundled by `@graphql-yoga/render-graphiql`) are
 * loaded on the first visit, not at start-up. The page's Content-Security-Policy allows no other
 * origin, so nothing it does can leave the gateway. Requests go without a token, so they act as
 * the development identity, as before; a token can be added in the Headers tab.
 */
import express, { type Request, type RequestHandler, type Router } from 'express';

export const EXPLORER_ASSETS = '/graphiql';

interface Asset {
  type: string;
  body: Buffer;
}

const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

let assets: Promise<Map<string, Asset>> | undefined;

function loadAssets(): Promise<Map<string, Asset>> {
  assets ??= import('@graphql-yoga/render-graphiql/graphiql').then((m) => {
    const js = 'text/javascript; charset=utf-8';
    const icon = /^data:([^;]+);base64,(.*)$/s.exec(m.favicon);
    return new Map<string, Asset>([
      ['graphiql.js', { type: js, body: Buffer.from(m.js) }],
      ['graphiql.css', { type: 'text/css; charset=utf-8', body: Buffer.from(m.css) }],
      ['editor.worker.js', { type: js, body: Buffer.from(m.editorWorkerService) }],
      ['json.worker.js', { type: js, body: Buffer.from(m.jsonWorker) }],
      ['graphql.worker.js', { type: js, body: Buffer.from(m.graphqlWorker) }],
      ['favicon.ico', { type: icon?.[1] ?? 'image/x-icon', body: Buffer.from(icon?.[2] ?? '', 'base64') }],
      ['init.js', { type: js, body: Buffer.from(INIT) }],
    ]);
  });
  return assets;
}

/** Runs in the browser: where Monaco finds its workers, then GraphiQL on the page's endpoint. */
const INIT = `(function () {
  var base = ${JSON.stringify(EXPLORER_ASSETS)};
  var workers = { editorWorkerService: 'editor', json: 'json', graphql: 'graphql' };
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (_moduleId, label) { return base + '/' + (workers[label] || 'editor') + '.worker.js'; },
  };
  var root = document.getElementById('root');
  YogaGraphiQL.renderYogaGraphiQL(root, JSON.parse(root.getAttribute('data-options')));
})();
`;

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function explorerPage(options: { endpoint: string; title: string; defaultQuery?: string }): string {
  const settings = { endpoint: options.endpoint, title: options.title, defaultQuery: options.defaultQuery, credentials: 'same-origin' };
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options.title)}</title>
    <link rel="icon" href="${EXPLORER_ASSETS}/favicon.ico" />
    <link rel="stylesheet" href="${EXPLORER_ASSETS}/graphiql.css" />
  </head>
  <body class="no-focus-outline">
    <noscript>The explorer needs JavaScript.</noscript>
    <div id="root" style="height: 100vh" data-options="${escapeHtml(JSON.stringify(settings))}"></div>
    <script src="${EXPLORER_ASSETS}/graphiql.js"></script>
    <script src="${EXPLORER_ASSETS}/init.js"></script>
  </body>
</html>
`;
}

function wantsPage(req: Request): boolean {
  return req.method === 'GET' && req.accepts(['application/json', 'text/html']) === 'text/html';
}

/** Mount before the GraphQL middleware: the page on `GET <endpoint>` from a browser, the assets under /graphiql. */
export function explorer(options: { endpoint: string; title?: string; defaultQuery?: string }): { page: RequestHandler; assets: Router } {
  const html = explorerPage({ title: 'Lender CRM API explorer', ...options });
  const page: RequestHandler = (req, res, next) => {
    if (!wantsPage(req)) return next();
    res.set({ 'content-security-policy': PAGE_POLICY, 'cache-control': 'no-cache' }).type('html').send(html);
  };
  const router = express.Router();
  router.get('/:name', async (req, res, next) => {
    try {
      const asset = (await loadAssets()).get(String(req.params.name));
      if (!asset) return next();
      res.set({ 'cache-control': 'public, max-age=3600', 'content-security-policy': PAGE_POLICY }).type(asset.type).send(asset.body);
    } catch (error) {
      next(error);
    }
  });
  return { page, assets: router };
}

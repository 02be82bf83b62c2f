import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';

/**
 * The design system's CSS, fonts and icons, and the portal's own stylesheet, served by okey itself
 * so the pages work on a closed network. Each URL carries a version, so browsers keep the files.
 */
const require = createRequire(import.meta.url);
const dsfrPackage = require.resolve('@gouvfr/dsfr/package.json');
const dsfrVersion = (JSON.parse(readFileSync(dsfrPackage, 'utf8')) as { version: string }).version;
const dsfrDist = join(dirname(dsfrPackage), 'dist');
const dsfrBase = `/dsfr/${dsfrVersion}`;

const portalCss = readFileSync(new URL('./portal.css', import.meta.url));
const portalCssHash = createHash('sha256').update(portalCss).digest('hex').slice(0, 12);

export const assets = {
  dsfrCss: `${dsfrBase}/dsfr.min.css`,
  iconsCss: `${dsfrBase}/utility/icons/icons.min.css`,
  dsfrModule: `${dsfrBase}/dsfr.module.min.js`,
  dsfrNoModule: `${dsfrBase}/dsfr.nomodule.min.js`,
  faviconSvg: `${dsfrBase}/favicon/favicon.svg`,
  faviconIco: `${dsfrBase}/favicon/favicon.ico`,
  appleTouchIcon: `${dsfrBase}/favicon/apple-touch-icon.png`,
  portalCss: `/portail/okey-${portalCssHash}.css`,
};

const forever = 'public, max-age=31536000, immutable';

export const staticRoutes = new Hono()
  .get(
    `${dsfrBase}/*`,
    serveStatic({
      root: dsfrDist,
      rewriteRequestPath: (path) => path.slice(dsfrBase.length),
      onFound: (_path, c) => {
        c.header('Cache-Control', forever);
        c.header('X-Content-Type-Options', 'nosniff');
      },
    }),
  )
  .get(assets.portalCss, (c) => {
    c.header('Cache-Control', forever);
    c.header('X-Content-Type-Options', 'nosniff');
    return c.body(portalCss, 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });

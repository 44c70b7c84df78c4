// The renderer is served from a custom, privileged `app://footfall/` scheme rather than file://:
// file:// pages share one opaque origin with every other local file, so an origin check could not
// tell our page from any HTML file on disk. A standard, secure custom scheme has a real origin.

export const APP_SCHEME = 'app';
export const APP_HOST = 'footfall';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

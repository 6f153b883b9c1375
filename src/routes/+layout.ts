// A local-first app: every route is an empty prerendered shell; data comes from the device.
export const ssr = false;
export const prerender = true;
export const trailingSlash = 'never';

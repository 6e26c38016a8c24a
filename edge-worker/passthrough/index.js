// The benchmark's baseline: a Worker that forwards every request to ORIGIN_URL unchanged,
// deciding nothing. The authorizer's overhead is measured against it, in the same workerd.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.ORIGIN_URL + url.pathname + url.search, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
    });
  },
};

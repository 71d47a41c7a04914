// HTTP client for kartiba-server's /api, with the bearer token.

export class ApiError extends Error {
  constructor(status, body) {
    const e = body && body.error ? body.error : { code: 'http_' + status, message: `HTTP ${status}` };
    super(e.message || e.code);
    this.status = status;
    this.code = e.code;
    this.detail = e;
  }
}

export function createApi(token) {
  async function request(method, path, body) {
    const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    let data = null;
    const text = await res.text();
    if (text) { try { data = JSON.parse(text); } catch { data = null; } }
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }
  const p = (plan) => `/api/plans/${encodeURIComponent(plan)}`;
  return {
    token,
    plans: () => request('GET', '/api/plans').then((d) => (Array.isArray(d) ? d : d?.plans || [])),
    view: (plan, at) => request('GET', p(plan) + (at ? `?at=${at}` : '')),
    history: (plan, lang, from, limit) =>
      request('GET', `${p(plan)}/history?lang=${lang}` + (from != null ? `&from=${from}` : '') + (limit ? `&limit=${limit}` : '')),
    releases: (plan) => request('GET', `${p(plan)}/releases`).then((d) => (Array.isArray(d) ? d : d?.releases || [])),
    changelog: (plan, from) => request('GET', `${p(plan)}/changelog` + (from != null ? `?from=${encodeURIComponent(from)}` : '')),
    icsUrl: (plan) => `${p(plan)}/agenda.ics`,
    // The admin console's calls (admin tokens only; the server answers 403 to others).
    createPlan: (fields) => request('POST', '/api/plans', fields),
    importPlan: (doc) => request('POST', '/api/plans/import', doc),
    tokens: () => request('GET', '/api/tokens').then((d) => d?.tokens || []),
    issueToken: (fields) => request('POST', '/api/tokens', fields),
    revokeToken: (id) => request('DELETE', `/api/tokens/${encodeURIComponent(id)}`),
    /** Downloads an authenticated file (the browser cannot add headers to a plain link). */
    async download(path, filename) {
      const res = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
      if (!res.ok) throw new ApiError(res.status, null);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url; a.download = filename;
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    },
  };
}

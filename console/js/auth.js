// Sign-in. Local stage: a role/unit picker that asks the local runner for a token (tools/console_server.py,
// the same code as `python -m tools.token`). Deployed stages: OIDC authorization code + PKCE against the
// identity provider named in config.json (Cognito hosted UI); the ID token is the API's bearer token.

const KEY = "console.session";
const PKCE_KEY = "console.pkce";

export function session() {
  try {
    const value = JSON.parse(sessionStorage.getItem(KEY) || "null");
    if (value && value.expires_at && value.expires_at < Date.now() / 1000) return null;
    return value;
  } catch {
    return null;
  }
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

function claims(token) {
  const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "=")), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function remember(token) {
  const c = claims(token);
  const value = { token, sub: c.sub, name: c.name || c.sub, role: c.role, unit: c.unit, expires_at: c.exp };
  sessionStorage.setItem(KEY, JSON.stringify(value));
  return value;
}

// --- local stage -------------------------------------------------------------------------------
export async function localUsers() {
  const response = await fetch("local/users");
  return (await response.json()).users;
}

/** {sub} of a demo user or {role, unit}; resolves to the session, or rejects with {code, message, field}. */
export async function localSignIn(request) {
  const response = await fetch("local/token", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request),
  });
  const data = await response.json();
  if (!response.ok) throw data.error;
  return remember(data.token);
}

// --- deployed stages: OIDC authorization code + PKCE (RFC 7636) ---------------------------------
function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export async function pkceChallenge(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export async function oidcSignIn(auth) {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  const query = new URLSearchParams({
    response_type: "code", client_id: auth.client_id, redirect_uri: auth.redirect_uri,
    scope: auth.scope || "openid", state, code_challenge: await pkceChallenge(verifier),
    code_challenge_method: "S256",
  });
  location.assign(`${auth.authorization_endpoint}?${query}`);
}

/** On the way back from the identity provider: exchange the code; null when this is no such return. */
export async function oidcCallback(auth) {
  const params = new URLSearchParams(location.search);
  if (!params.get("code")) return null;
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) || "{}");
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, "", location.pathname + location.hash);
  if (!saved.state || saved.state !== params.get("state")) throw new Error("state mismatch");
  const response = await fetch(auth.token_endpoint, {
    method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code", client_id: auth.client_id, code: params.get("code"),
      redirect_uri: auth.redirect_uri, code_verifier: saved.verifier,
    }),
  });
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
  const tokens = await response.json();
  return remember(tokens.id_token);
}

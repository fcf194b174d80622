// The console is a client of the same HTTPS API, nothing more privileged: a bearer token, JSON in
// and out, errors as {"error": {code, message, field}} turned into ApiError.
import { session } from "./auth.js";

let base = "";

export function setApiBase(url) {
  base = (url || "").replace(/\/$/, "");
}

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field || null;
  }
}

// One Idempotency-Key per user action, not per request: the same POST or PUT (method, path and body) sent again
// while the first is still in flight is the same action — a double click sends one request and both callers get
// its answer — and sent again after it failed without an answer (network, 5xx, still in progress) it carries the
// same key, so the server runs it at most once. Once answered, the next identical request is a new action.
const actions = new Map(); // "METHOD path body" -> { key, inFlight }

export function call(method, path, body, options = {}) {
  if (method !== "POST" && method !== "PUT") return send(method, path, body, options, null);
  const action = `${method} ${path} ${JSON.stringify(body ?? null)}`;
  const open = actions.get(action);
  if (open?.inFlight) return open.inFlight;
  const key = open?.key || crypto.randomUUID();
  const inFlight = send(method, path, body, options, key).then(
    (answer) => { actions.delete(action); return answer; },
    (error) => {
      const unanswered = error.status === 0 || error.status >= 500 || error.code === "IDEMPOTENCY_IN_PROGRESS";
      if (unanswered) actions.set(action, { key, inFlight: null }); else actions.delete(action);
      throw error;
    });
  actions.set(action, { key, inFlight });
  return inFlight;
}

async function send(method, path, body, { accept = "application/json", raw = false } = {}, key) {
  const headers = { Accept: accept };
  const token = session()?.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (key) headers["Idempotency-Key"] = key;
  let response;
  try {
    response = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, "NETWORK", String(error), null);
  }
  if (raw && response.ok) return response;
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    const error = data?.error || {};
    const code = error.code || (response.status === 403 ? "ROLE_NOT_ALLOWED" : `HTTP_${response.status}`);
    throw new ApiError(response.status, code, error.message || data?.message || response.statusText, error.field);
  }
  return data;
}

export const get = (path) => call("GET", path);
export const post = (path, body = {}) => call("POST", path, body);

/** Store a file with the presigned POST the API handed out, reporting progress (0..1). */
export function uploadTo(upload, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append("file", file);
    const request = new XMLHttpRequest();
    request.open("POST", upload.url);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      if (request.status >= 200 && request.status < 300) {
        onProgress(1);
        resolve();
      } else reject(new ApiError(request.status, "UPLOAD_MISSING", `storage answered ${request.status}`, "file"));
    });
    request.addEventListener("error", () => reject(new ApiError(0, "NETWORK", "upload failed", "file")));
    request.send(form);
  });
}

export async function sha256Hex(file) {
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

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

export async function call(method, path, body, { accept = "application/json", raw = false } = {}) {
  const headers = { Accept: accept };
  const token = session()?.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method === "POST" || method === "PUT") headers["Idempotency-Key"] = crypto.randomUUID();
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

// 公民身份号码 (GB 11643) and 残疾人证号 checks, ported from chalicelib/domain/identity.py so the
// window sees a mistake as it is typed. Same order of checks and the same error codes as the API;
// the address code is checked here at province level only (the API checks it against the whole
// GB/T 2260 history and stays the authority).

export const ID_LENGTH = 18;
const ID_RE = /^[0-9]{17}[0-9X]$/;
const WEIGHTS = Array.from({ length: 17 }, (_, i) => 2 ** (17 - i) % 11);
// GB/T 2260 province-level codes (including 台湾 71, 香港 81, 澳门 82)
export const PROVINCES = new Set([
  "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
  "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
]);

/** ISO 7064 MOD 11-2 check character of the first 17 digits. */
export function checkCharacter(number) {
  const sum = WEIGHTS.reduce((total, weight, i) => total + weight * Number(number[i]), 0);
  const value = (12 - (sum % 11)) % 11;
  return value === 10 ? "X" : String(value);
}

function birthDate(number) {
  const [y, m, d] = [number.slice(6, 10), number.slice(10, 12), number.slice(12, 14)].map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  const real = day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
  return real ? `${number.slice(6, 10)}-${number.slice(10, 12)}-${number.slice(12, 14)}` : null;
}

const fail = (code, detail = {}) => ({ ok: false, code, ...detail });

/** {ok: true, value} or {ok: false, code} for an ID number; ``today`` is "YYYY-MM-DD". */
export function checkIdNumber(raw, today) {
  if (raw === null || raw === undefined || raw === "") return fail("MISSING_FIELD");
  const number = String(raw).replaceAll(" ", "").toUpperCase();
  if (number.length !== ID_LENGTH) return fail("ID_NUMBER_LENGTH", { length: number.length });
  if (!ID_RE.test(number)) return fail("ID_NUMBER_FORMAT");
  if (number[17] !== checkCharacter(number)) return fail("ID_NUMBER_CHECKSUM");
  const born = birthDate(number);
  if (born === null || born > today || born < "1900-01-01") return fail("ID_NUMBER_BIRTH_DATE");
  if (!PROVINCES.has(number.slice(0, 2))) return fail("ID_NUMBER_REGION");
  return { ok: true, value: number };
}

/** {ok: true, value, category, grade} or {ok: false, code, field} for a 残疾人证 (number + 有效期至). */
export function checkCertificate(raw, validUntil, holderId, today) {
  const number = String(raw ?? "").replaceAll(" ", "").toUpperCase();
  if (number.length !== ID_LENGTH + 2) return fail("CERTIFICATE_FORMAT", { field: "number", length: number.length });
  if (number.slice(0, ID_LENGTH) !== holderId) return fail("CERTIFICATE_HOLDER_MISMATCH", { field: "number" });
  if (!"1234567".includes(number[18])) return fail("CERTIFICATE_CATEGORY", { field: "number" });
  if (!"1234".includes(number[19])) return fail("CERTIFICATE_GRADE", { field: "number" });
  if (validUntil !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(validUntil || "")) return fail("CERTIFICATE_VALID_UNTIL", { field: "valid_until" });
    if (validUntil < today) return fail("CERTIFICATE_EXPIRED", { field: "valid_until" });
  }
  return { ok: true, value: number, category: Number(number[18]), grade: Number(number[19]) };
}

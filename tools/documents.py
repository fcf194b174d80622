"""Fetch a case's PDF documents from the API (``make run``) and optionally turn page 1 into a PNG:

    .venv/bin/python -m tools.documents C20260924A1B2C3D4E5                  # the 受理地's demo window
    .venv/bin/python -m tools.documents C20260924A1B2C3D4E5 --kind receipt --png --out /tmp/docs
    .venv/bin/python -m tools.documents C20260924A1B2C3D4E5 --role reviewer --unit 230102001 --kind result-notice

Writes ``<out>/<kind>-<case>.pdf`` (and ``.png`` with ``--png``, page 1 at 150 dpi; needs the dev
dependency pypdfium2) and prints one line per file. A document the case does not have yet (the
result notice before the decision) is reported and skipped. Exit 1 if none could be fetched.
"""
from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tools.token import demo_user, token_for

KINDS = ("notice", "receipt", "result-notice")


def fetch(api: str, case_id: str, kind: str, token: str) -> bytes:
    request = urllib.request.Request(f"{api.rstrip('/')}/cases/{case_id}/{kind}",
                                     headers={"Accept": "application/pdf", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - a local URL the user gives
        return bytes(response.read())


def to_png(pdf: Path) -> Path:
    import pypdfium2  # a dev dependency: only this option needs it

    target = pdf.with_suffix(".png")
    pypdfium2.PdfDocument(str(pdf))[0].render(scale=150 / 72).to_pil().save(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case_id")
    parser.add_argument("--kind", choices=KINDS, action="append", help="one document (repeatable); default: all")
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("--demo", default="sh-window-01", help="a demo user (demo/units.json)")
    parser.add_argument("--role", help="with --unit: a caller other than the demo user")
    parser.add_argument("--unit")
    parser.add_argument("--out", default=".", help="directory for the files")
    parser.add_argument("--png", action="store_true", help="also render page 1 of each PDF to PNG")
    args = parser.parse_args(argv)
    if args.role and args.unit:
        token = token_for(args.role, args.unit)
    else:
        user = demo_user(args.demo)
        if user is None:
            parser.error(f"no demo user {args.demo}")
        token = token_for(user["role"], user["unit"], user["sub"], user["name"])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for kind in args.kind or KINDS:
        try:
            body = fetch(args.api, args.case_id, kind, token)
        except urllib.error.HTTPError as error:
            detail = json.loads(error.read() or b"{}").get("error", {})
            print(f"{kind}: {error.code} {detail.get('code')} {detail.get('message')}", file=sys.stderr)
            continue
        target = out / f"{kind}-{args.case_id}.pdf"
        target.write_bytes(body)
        written += 1
        print(f"{target} ({len(body)} bytes)" + (f", {to_png(target)}" if args.png else ""))
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())

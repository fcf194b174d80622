// Generated from chalicelib/domain/cases/phases.py (python -m chalicelib.domain.cases.phases): do not edit.
export const PHASES = {
  materials: { code: "D0", label: "收件时限", workingDays: 10, owner: "accepting", statutory: false },
  push: { code: "D1", label: "推送时限", workingDays: 3, owner: "accepting", statutory: true },
  review: { code: "D2", label: "审核时限", workingDays: 10, owner: "business", statutory: true },
  supplement: { code: "DS", label: "补正时限", workingDays: 10, owner: "accepting", statutory: false },
  notify: { code: "D3", label: "告知时限", workingDays: 3, owner: "accepting", statutory: true },
};

// Generated from chalicelib/domain/cases/phases.py (python -m chalicelib.domain.cases.phases): do not edit.
export const PHASES = {
  push: { code: "D1", label: "推送时限", workingDays: 3, owner: "accepting" },
  review: { code: "D2", label: "审核时限", workingDays: 10, owner: "business" },
  notify: { code: "D3", label: "告知时限", workingDays: 3, owner: "accepting" },
};

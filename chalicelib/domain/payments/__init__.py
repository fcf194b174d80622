"""Money, one fact in one place (黑民发〔2021〕6号 四(二): 自递交申请当月由业务属地计发补贴; 民发〔2022〕79号: 应退则退).

- ``entitlements``: the history of an entitlement and what is in force in a month (status, pricing, facts);
- ``owed``: the one function that says what is owed for an entitlement and a month;
- ``ledger``: what finalized rosters paid and what was recovered; owed − paid per month (due, or a debt);
- ``roster``: the monthly roster's lines (owed − paid through its month) and the file a paying agent opens.

Implements: 黑民发〔2021〕6号 四(二) (paid by the 业务属地 from the application month; DOMAIN.md §1, §2 step 6) and
民发〔2022〕79号 (应退则退, 纠错容错; DOMAIN.md §1, §3), as each submodule states.
"""

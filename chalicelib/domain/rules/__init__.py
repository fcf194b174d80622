"""What each jurisdiction requires and pays: the material catalogue and lists, eligibility, amount tables, the
authoritative registers that prove a fact, and the rule checks over them.

Implements: 国发〔2015〕52号 (DOMAIN.md §1) and 民办发〔2021〕2号 (the 户籍地's material list) — see each module."""

"""The case from 受理 to 告知: its phases and transitions, the application and its materials, the timeline, the
documents handed to the applicant and the milestone messages.

Implements: 民办发〔2021〕2号 (DOMAIN.md §2, steps 1–6) — see each module."""

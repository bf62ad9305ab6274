"""Pure scoring: checklist definitions and answers in, scores out; no Flask, no database."""

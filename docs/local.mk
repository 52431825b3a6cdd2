# docs/: man pages (mdoc) and Markdown references.
dist_man_MANS += docs/man/wardgate.1
dist_man_MANS += docs/man/wardgated.8 docs/man/wardgated.conf.5
dist_man_MANS += docs/man/wardgate-policy.5
EXTRA_DIST += docs/eventlog.md docs/policy.md docs/enforcement.md
EXTRA_DIST += docs/ear.md
EXTRA_DIST += docs/operations.md
EXTRA_DIST += docs/evidence.md
EXTRA_DIST += docs/legacy.md

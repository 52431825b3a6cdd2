# docs/: man pages (mdoc) and Markdown references.
dist_man_MANS += docs/man/wardgate.1
EXTRA_DIST += docs/eventlog.md

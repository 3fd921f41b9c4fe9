"""The household's pages: the register's records with what every other app knows of the
household (warnings, cases, measures and visits, quality findings, figures).

Composition above the domain apps (see docs/adr/0005): the register itself
(``jingzhun.registry``) holds the records, their rules, services and selectors, and
knows none of the apps that read it."""

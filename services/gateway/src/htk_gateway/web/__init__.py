"""The page toolkit every page uses: the reader (``viewer``), templates and their filters
(``render``), the reader's language (``i18n``) and formats, forms and their errors, Markdown,
calls to the services on the reader's behalf (``calls``), the catalogue's reference data
(``reference``), refusals as pages, and the same-origin check. No page of its own."""

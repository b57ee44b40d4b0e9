"""The imports app's use cases: what the pages, the commands and the worker call.

One front, the modules behind it split by noun:

- reading, lines: a CSV or NDJSON file as a table of rows, with what is wrong with each row;
- mapping: which column goes to which field;
- rows, problems: what every kind of import shares (row problems with codes, party look-ups);
- parties, party_rows, party_state, geography, interactions, orders…: each kind of row;
- importing: an import, all-or-nothing, counted and reported;
- publishing: the journal of staged orders being published, to take them back;
- rejects: the rejected rows to fix and import again;
- runs: the record of each import and its one life (`run_import`), whoever starts it;
- uploads: imports from the web app (kept file, mapping, preview, progress);
- exporting: what a user may see, as CSV or NDJSON;
- erasure: what a privacy erasure removes from imports.
"""

from __future__ import annotations

from clientela.imports.services.exporting import csv_lines, export_rows, write_export
from clientela.imports.services.format_detection import check_formats
from clientela.imports.services.formats import DATE_FORMATS
from clientela.imports.services.importing import (
    BATCH,
    ImportOptions,
    ImportSummary,
    custom_field_names,
    import_file,
    import_rows,
    read_file,
)
from clientela.imports.services.mapping import IGNORE, KINDS, parse_overrides, targets_for
from clientela.imports.services.problems import RowProblem
from clientela.imports.services.rejects import shown_rejects
from clientela.imports.services.runs import (
    get_run,
    import_path,
    run_import,
    settle_interrupted,
    visible_runs,
)
from clientela.imports.services.uploads import (
    choose_mapping,
    execute,
    expire_uploads,
    preview,
    read_progress,
    rejects_path,
    run_queued,
    start,
    store_upload,
)

__all__ = [
    "BATCH",
    "DATE_FORMATS",
    "IGNORE",
    "KINDS",
    "ImportOptions",
    "ImportSummary",
    "RowProblem",
    "check_formats",
    "choose_mapping",
    "csv_lines",
    "custom_field_names",
    "execute",
    "expire_uploads",
    "export_rows",
    "get_run",
    "import_file",
    "import_path",
    "import_rows",
    "parse_overrides",
    "preview",
    "read_file",
    "read_progress",
    "rejects_path",
    "run_import",
    "run_queued",
    "settle_interrupted",
    "shown_rejects",
    "start",
    "store_upload",
    "targets_for",
    "visible_runs",
    "write_export",
]

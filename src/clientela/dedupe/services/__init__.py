"""Use cases for duplicates, by noun; the names adapters and other features call are here.

The scan finds likely pairs (scan.py, scored by scoring.py), the review queue lists and
dismisses them (candidates.py), and merges settle them (merges.py, with the rows of other
features moved by related.py); a merge can be undone for 30 days (unmerges.py).
"""

from clientela.dedupe.services.candidates import (
    candidate_page,
    get_candidate,
    mark_not_duplicate,
    visible_candidates,
)
from clientela.dedupe.services.merges import (
    decide_fields,
    merge_candidate,
    merge_exact_pairs,
    merge_parties,
    merge_preview,
    merged_into,
)
from clientela.dedupe.services.scan import ScanResult, scan_duplicates
from clientela.dedupe.services.unmerges import (
    UNMERGE_DAYS,
    can_unmerge,
    get_merge,
    unmerge,
    unmerge_deadline,
)

__all__ = [
    "UNMERGE_DAYS",
    "ScanResult",
    "can_unmerge",
    "candidate_page",
    "decide_fields",
    "get_candidate",
    "get_merge",
    "mark_not_duplicate",
    "merge_candidate",
    "merge_exact_pairs",
    "merge_parties",
    "merge_preview",
    "merged_into",
    "scan_duplicates",
    "unmerge",
    "unmerge_deadline",
    "visible_candidates",
]

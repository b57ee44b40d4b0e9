"""Use cases for duplicates, by noun; the names adapters and other features call are here.

The scan finds likely pairs (scan.py, scored by scoring.py), the review queue lists and
dismisses them (candidates.py), and merges settle them (merges.py, with the rows of other
features moved by related.py).
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
    merged_into,
)
from clientela.dedupe.services.scan import ScanResult, scan_duplicates

__all__ = [
    "ScanResult",
    "candidate_page",
    "decide_fields",
    "get_candidate",
    "mark_not_duplicate",
    "merge_candidate",
    "merge_exact_pairs",
    "merge_parties",
    "merged_into",
    "scan_duplicates",
    "visible_candidates",
]

"""Customer-lifetime-value core: BG/NBD purchase counts, Gamma-Gamma spend, discounted value.

Pure NumPy/SciPy, written from Fader, Hardie & Lee (2005) "Counting your customers the easy way"
(BG/NBD) and Fader & Hardie (2013) "The Gamma-Gamma model of monetary value".

A customer's history is x (repeat purchases), t_x (time of the last one) and T (time since the
first purchase), all in the same unit, the *period*. Real histories repeat (recency and age are
whole days), so for N customers call `compress()` and work on its unique rows: fitting and
prediction then cost in proportion to the distinct (x, t_x, T) rows, not to N, and
`prediction[rows.inverse]` expands a per-row result back to one value per customer.

compression: the distinct rows; fitting: the optimiser; bgnbd: the purchase model and P(alive);
purchases: expected purchases (eq. 10); gamma_gamma: the spend model; lifetime_value: the CLV.
"""

from clientela.analytics.clv.bgnbd import (
    BGNBDParams,
    bgnbd_gradient,
    bgnbd_loglik,
    bgnbd_probability_alive,
    fit_bgnbd,
)
from clientela.analytics.clv.compression import CompressedRows, compress
from clientela.analytics.clv.fitting import ConvergenceError
from clientela.analytics.clv.gamma_gamma import (
    GammaGammaParams,
    fit_gamma_gamma,
    gamma_gamma_expected_spend,
    gamma_gamma_gradient,
    gamma_gamma_loglik,
)
from clientela.analytics.clv.lifetime_value import customer_lifetime_value
from clientela.analytics.clv.purchases import (
    bgnbd_expected_purchases,
    bgnbd_expected_purchases_new,
)

__all__ = [
    "BGNBDParams",
    "CompressedRows",
    "ConvergenceError",
    "GammaGammaParams",
    "bgnbd_expected_purchases",
    "bgnbd_expected_purchases_new",
    "bgnbd_gradient",
    "bgnbd_loglik",
    "bgnbd_probability_alive",
    "compress",
    "customer_lifetime_value",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "gamma_gamma_expected_spend",
    "gamma_gamma_gradient",
    "gamma_gamma_loglik",
]

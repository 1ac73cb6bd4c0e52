"""Gaussian-process emulators of the simulator's summary statistics, and the implausibility of a parameter set.

One scikit-learn `GaussianProcessRegressor` per summary statistic, on the parameters scaled to the unit cube:
a constant times an anisotropic squared-exponential kernel (one length scale per parameter, so a parameter
the statistic ignores gets a long one) plus a white-noise term. The white noise absorbs the simulator's
replicate noise in the training means; the emulator's own variance excludes it (`predict`).

Implausibility of a set x for statistic j (Vernon et al. 2010; Bijak et al. 2021 for migration ABMs):

    I_j(x) = |z_j - E[f_j(x)]| / sqrt(V_emulator_j(x) + V_replicate_j + V_observation_j + V_discrepancy_j)

where V_replicate is the variance of one simulator run about its mean (the world is one realisation),
V_observation the survey's sampling variance and V_discrepancy the stated model discrepancy. A set is
implausible when the second-largest I_j exceeds the cut-off (3 by Pukelsheim's three-sigma rule): the
largest alone would let one poorly modelled statistic rule out everything.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np


@dataclass
class Emulator:
    """Emulators of every statistic, fitted on the replicate means `Y` (n x m) at unit-cube points `X` (n x d)."""
    gps: list
    mean: np.ndarray          # per statistic: the training mean and sd the GPs were standardised with
    scale: np.ndarray
    replicate_var: np.ndarray  # per statistic: variance of one run about its mean

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Emulated means and emulator variances (n x m), the white noise (replicate noise) left out."""
        mu, var = [], []
        for gp, m, s in zip(self.gps, self.mean, self.scale):
            a, sd = gp.predict(X, return_std=True)
            noise = _noise(gp)
            mu.append(m + s * a)
            var.append(s ** 2 * np.maximum(sd ** 2 - noise, 1e-12))
        return np.column_stack(mu), np.column_stack(var)

    def loo(self) -> dict:
        """Leave-one-out check (closed form for fixed hyperparameters): per statistic the share of training
        points whose standardised LOO residual lies within 3, and the LOO RMSE relative to the statistic's sd."""
        within, rmse = [], []
        for gp in self.gps:
            K = gp.kernel_(gp.X_train_)
            Kinv = np.linalg.inv(K + 1e-10 * np.eye(len(K)))
            y = gp.y_train_
            resid = (Kinv @ y) / np.diag(Kinv)
            z = resid * np.sqrt(np.diag(Kinv))
            within.append(float(np.mean(np.abs(z) <= 3)))
            rmse.append(float(np.sqrt(np.mean(resid ** 2))))
        return {"share_within_3": within, "rmse_over_sd": rmse,
                "share_within_3_all": float(np.mean(within)), "median_rmse_over_sd": float(np.median(rmse))}


def _noise(gp) -> float:
    """The fitted white-noise level (in the GP's standardised units)."""
    return float(gp.kernel_.k2.noise_level)


def fit(X: np.ndarray, Y: np.ndarray, replicate_var: np.ndarray | None = None, replicates: int = 1) -> Emulator:
    """Fit one GP per column of Y. `replicate_var`: the pooled variance of one run per statistic, measured from
    replicates; without it (one replicate per set) it is read from the fitted white noise (x replicates)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    d = X.shape[1]
    mean = Y.mean(axis=0)
    scale = Y.std(axis=0)
    scale = np.where(scale > 1e-12, scale, 1.0)
    gps, noise = [], []
    for j in range(Y.shape[1]):
        kernel = (ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.full(d, 0.5), (1e-2, 1e2))
                  + WhiteKernel(0.1, (1e-6, 1e1)))
        gp = GaussianProcessRegressor(kernel, normalize_y=False, random_state=0, n_restarts_optimizer=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            gp.fit(X, (Y[:, j] - mean[j]) / scale[j])
        gps.append(gp)
        noise.append(_noise(gp) * scale[j] ** 2 * replicates)
    rv = np.asarray(noise) if replicate_var is None else np.asarray(replicate_var, float)
    return Emulator(gps, mean, scale, rv)


def implausibility(z: np.ndarray, mu: np.ndarray, var_total: np.ndarray, which: int = 2) -> np.ndarray:
    """The `which`-th largest standardised distance |z - mu| / sqrt(var) over the statistics (rows of mu)."""
    i = np.abs(mu - z) / np.sqrt(var_total)
    k = min(which, i.shape[1])
    return np.sort(i, axis=1)[:, -k]


def emulated_implausibility(em: Emulator, X: np.ndarray, z: np.ndarray, fixed_var: np.ndarray, which: int = 2) -> np.ndarray:
    """Implausibility of unit-cube points X under one wave's emulator; `fixed_var` = observation + discrepancy."""
    mu, var = em.predict(X)
    return implausibility(z, mu, var + em.replicate_var + fixed_var, which)

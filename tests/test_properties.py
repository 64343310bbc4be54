"""Properties over the parameter domains (hypothesis): every observable is finite, and
non-negative where the physics says so, or it refuses the input with a named error
(:class:`coldglass.errors.ColdglassError`) before any work — never a NaN, a silent zero or a
traceback. Domains: 1 mK - 300 K, 0 - 20 T, the parameter table's ranges."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import coldglass.models as cm
from coldglass.data import read_csv
from coldglass.ensembles import ATSEnsemble
from coldglass.errors import ColdglassError, DataError, InputError

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
temperatures = st.floats(1e-3, 300.0)
fields = st.floats(0.0, 20.0)
frequencies = st.floats(1.0, 1e10)
log_uniform = lambda lo, hi: st.floats(np.log(lo), np.log(hi)).map(np.exp)  # noqa: E731


def _finite_or_refused(fn, nonneg: bool = False):
    """The value is finite (and >= 0 if ``nonneg``), or the call raised a ColdglassError."""
    try:
        v = np.asarray(fn(), dtype=float)
    except ColdglassError:
        return None
    assert np.all(np.isfinite(v)), v
    if nonneg:
        assert np.all(v >= 0), v
    return v


@SETTINGS
@given(T=temperatures, B=fields, n=log_uniform(1e14, 1e19),
       species=st.sampled_from(["Fe2+", "Fe3+"]))
def test_paramagnet_terms_are_finite_and_cp_nonnegative(T, B, n, species):
    _finite_or_refused(lambda: cm.cp_paramagnet(T, B, n=n, species=species), nonneg=True)
    m = _finite_or_refused(lambda: cm.m_paramagnet(T, B, n=n, species=species), nonneg=True)
    assert m is not None


@SETTINGS
@given(T=temperatures, B=fields, Dmin=log_uniform(1e-3, 5.0), X0min=log_uniform(1e3, 1e6),
       ratio=log_uniform(1.01, 100.0), orientation=st.sampled_from(["exact", "shortcut",
                                                                     "none"]))
def test_ats_heat_capacity_and_magnetization_are_finite(T, B, Dmin, X0min, ratio,
                                                        orientation):
    kw = dict(Pn=1e16, Dmin=Dmin, X0min=X0min, X0max=X0min * ratio, orientation=orientation)
    _finite_or_refused(lambda: cm.cp_ats(T, B, **kw), nonneg=True)
    # without the high-field correction every gap grows with B, so M = -∂F/∂B >= 0; with it
    # (B* = 1 T) the effective phase turns over before the expansion's limit: finite or refused
    assert _finite_or_refused(lambda: cm.m_ats(T, B, high_field=False, **kw),
                              nonneg=True) is not None
    v = _finite_or_refused(lambda: cm.m_ats(T, B, **kw))
    assert v is not None or B**2 >= 27 - 1e-9


@SETTINGS
@given(E=st.floats(0.0, 50.0), B=fields, Dmin=log_uniform(1e-3, 5.0),
       X0min=log_uniform(1e3, 1e6), ratio=log_uniform(1.01, 100.0),
       B_star=log_uniform(0.05, 50.0), high_field=st.booleans(),
       orientation=st.sampled_from(["exact", "shortcut", "none"]))
def test_ats_dos_is_finite_nonnegative_or_refused_in_the_high_field_domain(
        E, B, Dmin, X0min, ratio, B_star, high_field, orientation):
    ens = ATSEnsemble.from_fit_combination(Dmin, X0min, X0min * ratio, B_star_T=B_star)
    v = _finite_or_refused(lambda: ens.dos(E, B, orientation=orientation,
                                           high_field=high_field), nonneg=True)
    if v is None:  # refused: only where the high-field expansion is invalid
        assert high_field and (B / B_star) ** 2 >= 27 - 1e-9


@SETTINGS
@given(T=temperatures, f=frequencies, C=log_uniform(1e-6, 1e-2), A=log_uniform(1e5, 1e12),
       d0=log_uniform(1e-9, 1e-2))
def test_sound_velocity_and_friction_are_finite_and_friction_nonnegative(T, f, C, A, d0):
    assume(d0 < 1e3)
    _finite_or_refused(lambda: cm.dv_stm(T, f, C=C, A=A, Delta0_min=d0))
    q = _finite_or_refused(lambda: cm.qinv_stm(T, f, C=C, A=A, Delta0_min=d0), nonneg=True)
    assert q is not None and q <= 1.01 * np.pi * C  # never above the resonant maximum πC


@SETTINGS
@given(T=st.floats(1e-3, 10.0), C_t=log_uniform(1e-6, 1e-2), v_t=st.floats(500.0, 8000.0),
       L=log_uniform(1e-5, 1.0))
def test_thermal_conductivity_is_positive_and_below_each_limit(T, C_t, v_t, L):
    from coldglass.observables.acoustics import kappa_boundary_limit, kappa_resonant_limit

    k = _finite_or_refused(lambda: cm.kappa_stm(T, C_l=C_t, C_t=C_t, v_l=1.6 * v_t, v_t=v_t,
                                                L_boundary=L), nonneg=True)
    assert k is not None and k > 0
    kw = dict(v_l=1.6 * v_t, v_t=v_t)
    assert k <= kappa_resonant_limit(T, C_l=C_t, C_t=C_t, **kw) * (1 + 1e-9)
    assert k <= kappa_boundary_limit(T, L=L, **kw) * (1 + 1e-9)


@SETTINGS
@given(T=st.floats(1e-3, 30.0), t=log_uniform(1e-9, 1e9), A=log_uniform(1e6, 1e10))
def test_time_dependent_cp_is_between_zero_and_equilibrium(T, t, A):
    c = _finite_or_refused(lambda: cm.cp_stm_time(T, t, P_ens=1e15, A=A), nonneg=True)
    eq = cm.cp_stm_time(T, 1e40, P_ens=1e15, A=A)
    assert c is not None and c <= eq * (1 + 1e-9)


@SETTINGS
@given(T=st.floats(1e-3, 300.0), B=st.floats(0.0, 2.0))
def test_echo_ratio_is_finite_at_any_temperature(T, B):
    _finite_or_refused(lambda: cm.echo_ats(np.array([T]), np.array([B]), tau12_s=3e-6,
                                           frequency_Hz=1e9))


bad_numbers = st.one_of(st.just(float("nan")), st.just(float("inf")), st.just(-1.0),
                        st.just(0.0), st.just(1 + 1j), st.just("3 K"), st.just(None))


@SETTINGS
@given(bad=bad_numbers, which=st.sampled_from(["T", "frequency_Hz", "C", "A"]))
def test_bad_values_are_refused_with_a_named_error(bad, which):
    kw = {"T": 0.1, "frequency_Hz": 1e3, "C": 3e-4, "A": 1e8}
    if which == "C" and bad == 0.0:
        return  # C = 0 is allowed: no tunnelling systems
    kw[which] = bad
    T, f = kw.pop("T"), kw.pop("frequency_Hz")
    with pytest.raises((InputError, TypeError)) as exc:
        cm.dv_stm(T, f, **kw)
    if isinstance(exc.value, InputError):
        assert which.split("_")[0] in str(exc.value) or "omega" in str(exc.value)


cells = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                  st.text(alphabet="0123456789.-eE,;xK[] ", max_size=8))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(header=st.sampled_from(["T [K],Cp [J/(g K)]", "T [mK],B [T],M [emu/g]",
                               "T [K],dv_v [ppm],f [kHz]", "T [K],kappa [W/(m K)]",
                               "T [K],Cpbar [J/(g K)]", "t [K],Cp [J/(g K)]",
                               "T [K],Cp [J/(m K)]"]),
       rows=st.lists(st.lists(cells, min_size=1, max_size=4), min_size=0, max_size=4))
def test_any_csv_is_read_or_refused_with_file_and_line(tmp_path, header, rows):
    p = tmp_path / "data.csv"
    p.write_text(header + "\n" + "\n".join(",".join(r) for r in rows) + "\n",
                 encoding="utf-8")
    try:
        ds = read_csv(p)
    except DataError as exc:
        assert str(exc).startswith(str(p)), exc  # path:line: what
        return
    assert np.all(np.isfinite(ds.y)) and np.all(ds.T > 0)


def test_ats_dos_at_vanishing_fields_is_the_zero_field_dos():
    """Hypothesis found g(E=2, B=1.7e-164) = inf (a = D0 φ squared to 0) and the explicit-n_c
    exact route at half the value for B <= 1e-20 (c = s - exp(t) cancelled for a far
    singular point). Every route gives the zero-field DOS (2π/E) ln(D0max/D0min) at B -> 0
    and the closed exact average on a sweep to 1e-12 relative (its ~1e-14 rounding, margin)."""
    ens = ATSEnsemble.from_fit_combination(1.0, np.exp(12.0), np.exp(16.5), B_star_T=1.0)
    g0 = ens.density * 2 * np.pi / 2.0 * ens.log_ratio
    for B in (0.0, 1e-320, 1e-300, 1.7e-164, 1e-100, 1e-20, 1e-12):
        for kw in ({"orientation": "shortcut"}, {"orientation": "exact"},
                   {"orientation": "exact", "n_c": 16},
                   {"orientation": "exact", "high_field": True}):
            assert ens.dos(2.0, B, **kw) == pytest.approx(g0, rel=1e-12), (B, kw)
    B = np.logspace(-16, 1, 40)
    np.testing.assert_allclose(ens.dos(2.0, B, orientation="exact", n_c=16),
                               ens.dos(2.0, B, orientation="exact"), rtol=1e-12)

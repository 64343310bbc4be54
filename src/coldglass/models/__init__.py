"""The model layer: one pure, vectorized, lmfit-ready function per observable term.

Each function takes its independent variables (``T`` [K], ``B`` [T], ``frequency_Hz``,
``tau12_s``) and explicit keyword parameters in kelvin and SI (table:
:data:`PARAMETERS`), returns the term in the observable's unit, a float for scalar input.
``lmfit.Model(f)`` wraps any of them without glue; :func:`model` adds bounds and defaults from
the table; models compose with ``+`` (lmfit's own models included)::

    import lmfit, coldglass.models as cm
    m = cm.model(cm.cp_bar_paramagnet, "fe2_") + cm.model(cm.cp_bar_ats, "ats_")
    m = m + lmfit.models.LinearModel(independent_vars=["T"], prefix="bg_")

Observables and their terms (``docs/architecture.md`` says where a new one goes):

============  ================  ====================================================
observable    unit              terms
============  ================  ====================================================
``cp``        J/(g K)           cp_phonons, cp_tls, cp_paramagnet, cp_ats
``cp_bar``    J/(g K)           cp_bar_paramagnet, cp_bar_ats (Cp(B) - Cp(B_ref))
``M``         A m2/g            m_paramagnet, m_ats, m_offset
``eps``       1                 eps_stm (STM Δε'/ε(T, ω))
``tand``      1                 tand_stm (STM tan δ(T, ω))
``deps``      1                 deps_ats (ATS Δε'/ε(T, B))
``dtand``     1                 dtand_ats (ATS Δ tan δ(T, B))
``A``         1                 echo_ats (A(B)/A_2LS)
``IEA``       1                 iea (= iea_2ls + iea_ats)
``dv``        1                 dv_stm (STM Δv/v(T, ω), column ``dv_v``)
``Qinv``      1                 qinv_stm (STM internal friction Q⁻¹(T, ω))
``kappa``     W/(m K)           kappa_stm (resonant + boundary scattering)
``ddv``       1                 dv_ats (ATS Δv/v(T, B), a prediction; column ``ddv_v``)
============  ================  ====================================================

Not data columns (functions of a time ``t_s``): ``cp_stm_time`` (Cp on a measuring time),
``heat_release_stm`` (Q̇(t) after a quench).
"""

from .acoustics import cp_stm_time, dv_ats, dv_stm, heat_release_stm, kappa_stm, qinv_stm
from .core import (
    OBSERVABLES,
    as_output,
    field_subtracted,
    full_signature,
    model,
    observable,
    observable_of_column,
    parameter_names,
    with_options,
)
from .dielectric import deps_ats, dtand_ats, eps_stm, tand_stm
from .echo import echo_ats, iea, iea_2ls, iea_ats
from .heat_capacity import (
    cp_ats,
    cp_bar_ats,
    cp_bar_paramagnet,
    cp_paramagnet,
    cp_phonons,
    cp_tls,
)
from .magnetization import m_ats, m_offset, m_paramagnet
from .parameters import PARAMETERS, ParamSpec, display_name, internal_name, spec

__all__ = [
    "model", "parameter_names", "as_output", "field_subtracted", "observable", "OBSERVABLES",
    "with_options", "full_signature", "observable_of_column",
    "PARAMETERS", "ParamSpec", "spec", "display_name", "internal_name",
    "cp_phonons", "cp_tls", "cp_paramagnet", "cp_ats", "cp_bar_paramagnet", "cp_bar_ats",
    "m_paramagnet", "m_ats", "m_offset",
    "eps_stm", "tand_stm", "deps_ats", "dtand_ats",
    "echo_ats", "iea", "iea_2ls", "iea_ats",
    "dv_stm", "qinv_stm", "kappa_stm", "dv_ats", "cp_stm_time", "heat_release_stm",
]

"""``@qd.data_oriented``: classes whose instances carry ndarrays, fields and parameters into kernels."""

from __future__ import annotations

__all__ = ["data_oriented"]


def data_oriented(cls=None, *, stable_members: bool = False, template_primitives: bool = True):
    """Enable ``@qd.kernel`` methods (``self`` is an implicit template) and passing instances to ``qd.template()``.

    * ``stable_members=True``: the user promises members are never rebound or changed after the first launch, so the
      launcher may reuse the key and bindings it computed for an instance.
    * ``template_primitives=False``: read primitive members become run-time scalar arguments instead of baked
      compile-time values.
    """

    def wrap(c):
        c._qd_data_oriented = True
        c._qd_stable_members = bool(stable_members)
        c._qd_template_primitives = bool(template_primitives)
        return c

    return wrap(cls) if cls is not None else wrap

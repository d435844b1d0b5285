"""Headless Genesis scenes run on upstream Quadrants 1.3.3 and on this project (``nox -s downstream-genesis``).

Each scene is a function ``build(gs) -> (scene, observe)``: it adds entities to a fresh ``gs.Scene`` (not yet built)
and returns it with ``observe()``, which reads the state to compare after the steps as ``{name: numpy array}``.
Only public Genesis API is used, so the same file runs unchanged under both venvs. This module imports nothing from
Genesis or Quadrants itself: ``run_scene.py`` passes the ``genesis`` module in.
"""

from __future__ import annotations

import os

__all__ = ["SCENES"]


def _numpy(value):
    return value.detach().cpu().numpy() if hasattr(value, "detach") else value


def rigid_primitives(gs):
    """A plane, two boxes and two spheres dropped onto it and onto each other (rigid solver, contacts)."""
    scene = gs.Scene(show_viewer=False, sim_options=gs.options.SimOptions(dt=0.01))
    scene.add_entity(gs.morphs.Plane())
    bodies = [
        scene.add_entity(gs.morphs.Box(pos=(0.0, 0.0, 0.3), size=(0.2, 0.2, 0.2))),
        scene.add_entity(gs.morphs.Box(pos=(0.05, 0.02, 0.7), size=(0.15, 0.1, 0.1), euler=(10.0, 20.0, 30.0))),
        scene.add_entity(gs.morphs.Sphere(pos=(0.4, 0.0, 0.5), radius=0.1)),
        scene.add_entity(gs.morphs.Sphere(pos=(-0.3, 0.1, 0.9), radius=0.08)),
    ]

    def observe():
        out = {}
        for k, body in enumerate(bodies):
            out[f"body{k}.qpos"] = _numpy(body.get_qpos())
            out[f"body{k}.dofs_vel"] = _numpy(body.get_dofs_velocity())
        return out

    return scene, observe


def mjcf_robot(gs):
    """The MuJoCo ant of the genesis-world wheel (``genesis/assets/xml/ant.xml``) falling onto a plane, with a
    constant joint force on its legs (rigid solver, articulated bodies, joint limits, contacts)."""
    scene = gs.Scene(show_viewer=False, sim_options=gs.options.SimOptions(dt=0.01))
    scene.add_entity(gs.morphs.Plane())
    ant = scene.add_entity(gs.morphs.MJCF(file="xml/ant.xml", pos=(0.0, 0.0, 0.6)))

    def before_step(step: int):
        if step == 0:
            n = ant.n_dofs
            ant.control_dofs_force([0.5 * ((-1) ** k) for k in range(n - 6)], list(range(6, n)))

    def observe():
        return {"ant.qpos": _numpy(ant.get_qpos()), "ant.dofs_vel": _numpy(ant.get_dofs_velocity())}

    observe.before_step = before_step
    return scene, observe


def sph_liquid(gs):
    """A block of SPH liquid falling into the domain's floor (SPH solver)."""
    scene = gs.Scene(
        show_viewer=False,
        sim_options=gs.options.SimOptions(dt=4e-3, substeps=2),
        sph_options=gs.options.SPHOptions(
            lower_bound=(-0.3, -0.3, 0.0), upper_bound=(0.3, 0.3, 0.6), particle_size=0.04
        ),
    )
    liquid = scene.add_entity(
        material=gs.materials.SPH.Liquid(), morph=gs.morphs.Box(pos=(0.0, 0.0, 0.25), size=(0.16, 0.16, 0.16))
    )

    def observe():
        return {"liquid.pos": _numpy(liquid.get_particles_pos()), "liquid.vel": _numpy(liquid.get_particles_vel())}

    return scene, observe


SCENES = {"rigid_primitives": rigid_primitives, "mjcf_robot": mjcf_robot, "sph_liquid": sph_liquid}

# steps each scene runs (QD_DOWNSTREAM_STEPS overrides all of them, for quick runs)
STEPS = {"rigid_primitives": 200, "mjcf_robot": 100, "sph_liquid": 50}
if os.environ.get("QD_DOWNSTREAM_STEPS"):
    STEPS = {k: int(os.environ["QD_DOWNSTREAM_STEPS"]) for k in STEPS}

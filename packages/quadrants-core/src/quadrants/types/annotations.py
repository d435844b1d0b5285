"""``qd.types.annotations``: the template annotation (``qd.template()`` / ``qd.Template``), under upstream's path.

The annotation objects are the frontend's (``frontend/annotations.py``); this module only names them.
"""

from quadrants.frontend.annotations import Template, template

__all__ = ["template", "Template"]

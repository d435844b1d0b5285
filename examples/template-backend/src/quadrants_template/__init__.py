"""A template out-of-tree Quadrants backend (id ``template``); the backend object is ``quadrants_template.backend``."""

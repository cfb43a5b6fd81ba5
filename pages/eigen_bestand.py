"""Eigen bestand: a gemeente's own client file — upload and mapping, monitors, uitstroomkans, budget and the benchmark among
participants (portal/eigen_ui.py; the data work in portal/eigen/)."""

from portal import eigen_ui
from portal.ui import current_user, warehouse

eigen_ui.render(warehouse(), current_user())

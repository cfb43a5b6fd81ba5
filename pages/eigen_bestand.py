"""Eigen bestand: a gemeente's own client file — upload and mapping, monitors, uitstroomkans, budget and the benchmark among
participants (portal/ui/eigen_bestand.py; the data work in portal/eigen/)."""

from portal.ui import eigen_bestand
from portal.ui import current_user, warehouse

eigen_bestand.render(warehouse(), current_user())

"""All Streamlit code of the portal. By job: cache (computations once per data build), data (the warehouse, the user
database and the shared cached views), widgets (choices kept in the URL), login, render (charts and tables with their
downloads), nav (page list, menu, error frame) and theme; the parts of the larger pages: profiel, eigen_bestand and
visitatie/. The pages in pages/ only orchestrate, with the names below."""

from portal.ui.data import (caterpillar, change, distribution, features, funnel, local_indicators, map_data, national_views,
                            periods, userdata, warehouse, warehouse_problem, wdeel)
from portal.ui.login import current_user
from portal.ui.nav import PAGES, failure, menu
from portal.ui.render import chart, data_table
from portal.ui.widgets import (codes_param, current_group, density_toggle, gemeente_picker, indeling_picker, indicator_picker,
                               parse_id, set_group_params, share_link, url_choice, url_select, url_slider)

__all__ = ["PAGES", "caterpillar", "change", "chart", "codes_param", "current_group", "data_table", "density_toggle",
           "current_user", "distribution", "failure", "features", "funnel", "gemeente_picker", "indeling_picker", "indicator_picker",
           "local_indicators", "map_data", "menu", "national_views", "parse_id", "periods", "set_group_params", "share_link",
           "url_choice", "url_select", "url_slider", "userdata", "warehouse", "warehouse_problem", "wdeel"]

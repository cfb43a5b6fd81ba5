"""Own client files of a gemeente ("Eigen bestand", issue 13): upload, mapping, validation, pseudonymised storage,
monitors (WWB-kompas / BijstandScan), suppression of small cells and the benchmark among participants.

The modules share one canonical frame of uitkering spells (portal.eigen.schema.SPELLS); nothing identifying leaves
the upload step: client identifiers are replaced by a keyed hash there (portal.eigen.pseudo)."""

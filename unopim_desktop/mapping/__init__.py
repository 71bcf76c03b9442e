"""Field mapping: which store field or attribute carries which UnoPim attribute. Pure logic here; the
database side is in `state/mapping_repo.py`."""

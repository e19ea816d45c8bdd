"""Marker paging over rows listed newest first (created_at, then id, both
descending), as Nova pages servers and instance actions."""
from sqlalchemy import and_, or_


def after_marker(query, model, marker_row):
    """`query` narrowed to the rows listed after `marker_row`."""
    return query.where(or_(model.created_at < marker_row.created_at,
                           and_(model.created_at == marker_row.created_at,
                                model.id < marker_row.id)))

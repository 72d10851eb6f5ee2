"""The estate: companies, sites, groups, areas, counters, lines, users and tokens.

Plain functions over a SQLAlchemy `Connection`, shared by the API and the CLI. Every
function but the company ones takes `company_id` and never reads or writes another
company's rows; an id of another company is reported exactly like a missing one.
"""

"""HTTP routes only: parse the request, check its guards, answer.

They call views, counting, output and store; no counting rule or query is written here.
"""

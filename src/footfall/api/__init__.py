"""The REST API: an app factory, one router per resource, schemas per resource."""

"""Request and response schemas: Create / Update / Public families, one module per resource."""
